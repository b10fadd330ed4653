using System.Buffers.Binary;
using System.IO.Compression;
using GpuVae.Model.Network;

namespace GpuVae;

/// <summary>
/// Reads IDX files of 8-bit grayscale images and their labels (big-endian header, then unsigned
/// bytes), raw or gzipped; gzip is recognised by its magic bytes 1f 8b, never by the file name.
/// Images are N x rows x cols, the size read from the header (MNIST's 28x28, or any other:
/// Fashion-MNIST, KMNIST, your own). Every check a broken or wrong file can fail (magic number,
/// element type and dimensions, length exactly as the header says, labels in 0..9, gzip
/// integrity) throws <see cref="MnistDataException"/>, and nothing else escapes.
/// </summary>
internal static class IdxReader
{
    /// <summary>IDX magic for unsigned bytes (0x08) in 3 dimensions: N x rows x cols.</summary>
    public const uint ImageMagic = 0x00000803;

    /// <summary>IDX magic for unsigned bytes (0x08) in 1 dimension: N.</summary>
    public const uint LabelMagic = 0x00000801;

    /// <summary>MNIST's rows and columns.</summary>
    public const int Rows = MnistShape.Side;
    public const int Cols = MnistShape.Side;

    /// <summary>D of MNIST, the pixels per image.</summary>
    public const int Pixels = MnistShape.Pixels;

    /// <summary>The most pixels one image may have: 4096 x 4096.</summary>
    public const int MaximumPixels = 1 << 24;

    private const byte UnsignedByteType = 0x08;

    private const int ImageHeaderLength = 16;
    private const int LabelHeaderLength = 8;

    // A gzip stream's length is unknown until it ends, so its body grows from this size as
    // data actually arrives: a small file whose header claims billions of images costs no
    // more memory than the data it really holds.
    private const int InitialGzipCapacity = 1 << 20;

    /// <summary>Returns the pixels of all images, (N, D) row-major, N >= 1, each 0..255.</summary>
    public static byte[] ReadImages(string path) => ReadImageFile(path).Pixels;

    /// <summary>The pixels of all images, (N, rows x cols) row-major, with the size from the header.</summary>
    public static (byte[] Pixels, int Rows, int Cols) ReadImageFile(string path)
    {
        int rows = 0, cols = 0;
        byte[] pixels = Read(path, images: true, (r, c) => (rows, cols) = (r, c));
        return (pixels, rows, cols);
    }

    /// <summary>Returns the labels, (N), N >= 1, each 0..9.</summary>
    public static byte[] ReadLabels(string path)
    {
        byte[] labels = Read(path, images: false, (_, _) => { });
        int bad = labels.AsSpan().IndexOfAnyInRange((byte)10, byte.MaxValue);
        if (bad >= 0)
        {
            throw Error(path, $"label {labels[bad]} at index {bad} is outside 0..9");
        }

        return labels;
    }

    private static byte[] Read(string path, bool images, Action<int, int> size)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
            if (file.Length == 0)
            {
                throw Error(path, "empty file");
            }

            bool gzip = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
            file.Position = 0;
            if (!gzip)
            {
                return ReadIdx(path, file, images, size, file.Length, "the file", GzipNameNote(path));
            }

            using var unzipped = new GZipStream(file, CompressionMode.Decompress);
            return ReadIdx(path, unzipped, images, size, knownLength: null, "the decompressed data", gzipNote: "");
        }
        catch (InvalidDataException e)
        {
            // Only GZipStream raises this here: the file starts like gzip but its stream is damaged.
            throw Error(path, $"starts with the gzip magic 1f 8b but is not valid gzip: {e.Message}", e);
        }
        catch (FileNotFoundException e)
        {
            throw Error(path, "file not found", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw Error(path, "file not found (its directory does not exist)", e);
        }
        catch (IOException e)
        {
            throw Error(path, $"cannot read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw Error(path, $"cannot read: {e.Message}", e);
        }
    }

    private static byte[] ReadIdx(string path, Stream stream, bool images, Action<int, int> size, long? knownLength, string source, string gzipNote)
    {
        int headerLength = images ? ImageHeaderLength : LabelHeaderLength;
        uint expectedMagic = images ? ImageMagic : LabelMagic;
        string kind = images ? "image" : "label";

        var header = new byte[headerLength];
        int got = stream.ReadAtLeast(header, headerLength, throwOnEndOfStream: false);
        if (got < sizeof(uint))
        {
            throw Error(path, $"too short: an IDX {kind} header needs {headerLength} bytes but {source} has {got}{gzipNote}");
        }

        uint magic = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (images && magic != expectedMagic && magic != LabelMagic && magic >> 16 == 0 && TypeName((byte)(magic >> 8)) is { } type)
        {
            // An IDX file, but not one of 8-bit grayscale images: say which part is wrong.
            string problem = (byte)(magic >> 8) != UnsignedByteType
                ? $"IDX elements are {type} (type byte 0x{(byte)(magic >> 8):X2}); images must be 8-bit grayscale, type 0x08 (unsigned byte)"
                : $"IDX data has {(byte)magic} dimensions; 8-bit grayscale images need 3 (count x rows x cols){((byte)magic == 4 ? ", a fourth is colour channels" : string.Empty)}";
            throw new MnistDataException($"{path}: {problem}") { WrongKind = true };
        }

        if (magic != expectedMagic)
        {
            string seen = magic switch
            {
                ImageMagic => " (an IDX image file)",
                LabelMagic => " (an IDX label file)",
                _ => "",
            };
            throw Error(path, $"wrong magic number 0x{magic:X8}{seen}, expected 0x{expectedMagic:X8} (IDX {kind}s){gzipNote}");
        }

        if (got < headerLength)
        {
            throw Error(path, $"truncated: an IDX {kind} header needs {headerLength} bytes but {source} has {got}");
        }

        uint count = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
        uint rows = 1, cols = 1;
        if (images)
        {
            rows = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8));
            cols = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12));
            if (rows == 0 || cols == 0 || (ulong)rows * cols > MaximumPixels)
            {
                throw Error(path, $"images are {rows}x{cols}; each side must be at least 1 and an image at most {MaximumPixels} pixels");
            }

            size((int)rows, (int)cols);
        }

        if (count == 0)
        {
            throw Error(path, $"header says 0 {kind}s");
        }

        long bodyLength = count * (long)(rows * cols);
        long totalLength = headerLength + bodyLength;
        string claim = images
            ? $"header says {count} images of {rows}x{cols} ({totalLength} bytes)"
            : $"header says {count} labels ({totalLength} bytes)";
        if (knownLength is long length && length != totalLength)
        {
            throw Error(path, LengthMismatch(claim, source, length, totalLength));
        }

        if (bodyLength > Array.MaxLength)
        {
            throw Error(path, $"{claim}, more than this reader can hold in one array");
        }

        var body = new byte[knownLength is null ? Math.Min(bodyLength, InitialGzipCapacity) : bodyLength];
        int filled = 0;
        while (true)
        {
            if (filled == body.Length)
            {
                if (filled == bodyLength)
                {
                    break;
                }

                Array.Resize(ref body, (int)Math.Min(bodyLength, 2L * body.Length));
            }

            int read = stream.Read(body, filled, body.Length - filled);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        long actual = headerLength + filled + CountRemaining(stream);
        if (actual != totalLength)
        {
            throw Error(path, LengthMismatch(claim, source, actual, totalLength));
        }

        return body;
    }

    private static string? TypeName(byte type) => type switch
    {
        0x08 => "unsigned bytes",
        0x09 => "signed bytes",
        0x0B => "16-bit integers",
        0x0C => "32-bit integers",
        0x0D => "32-bit floats",
        0x0E => "64-bit floats",
        _ => null,
    };

    private static string LengthMismatch(string claim, string source, long actual, long expected) =>
        $"{(actual < expected ? "truncated" : "too long")}: {claim} but {source} has {actual} bytes";

    // The name is only used to explain a failure: a file called *.gz that lacks the gzip magic
    // is read as raw IDX, and when that fails too the user should hear about both.
    private static string GzipNameNote(string path) =>
        path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? "; the name ends in .gz but the file does not start with the gzip magic 1f 8b, so it is neither gzip nor raw IDX"
            : "";

    private static long CountRemaining(Stream stream)
    {
        var scratch = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = stream.Read(scratch)) > 0)
        {
            total += read;
        }

        return total;
    }

    private static MnistDataException Error(string path, string problem, Exception? inner = null) =>
        inner is null ? new($"{path}: {problem}") : new($"{path}: {problem}", inner);
}

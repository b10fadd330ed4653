using System.Buffers.Binary;
using System.IO.Compression;
using GpuVae.Model;

namespace GpuVae.App.Data;

/// <summary>
/// Reads MNIST's IDX files (big-endian header, then unsigned bytes), raw or gzipped; gzip is
/// recognised by its magic bytes 1f 8b, never by the file name. Every check a broken or wrong
/// file can fail (magic number, 28x28 dimensions, length exactly as the header says, labels in
/// 0..9, gzip integrity) throws <see cref="MnistDataException"/>, and nothing else escapes.
/// </summary>
public static class IdxReader
{
    /// <summary>IDX magic for unsigned bytes (0x08) in 3 dimensions: N x rows x cols.</summary>
    public const uint ImageMagic = 0x00000803;

    /// <summary>IDX magic for unsigned bytes (0x08) in 1 dimension: N.</summary>
    public const uint LabelMagic = 0x00000801;

    public const int Rows = MnistShape.Side;
    public const int Cols = MnistShape.Side;

    /// <summary>D, the pixels per image.</summary>
    public const int Pixels = MnistShape.Pixels;

    private const int ImageHeaderLength = 16;
    private const int LabelHeaderLength = 8;

    // A gzip stream's length is unknown until it ends, so its body grows from this size as
    // data actually arrives: a small file whose header claims billions of images costs no
    // more memory than the data it really holds.
    private const int InitialGzipCapacity = 1 << 20;

    /// <summary>Returns the pixels of all images, (N, D) row-major, N >= 1, each 0..255.</summary>
    public static byte[] ReadImages(string path) => Read(path, images: true);

    /// <summary>Returns the labels, (N), N >= 1, each 0..9.</summary>
    public static byte[] ReadLabels(string path)
    {
        byte[] labels = Read(path, images: false);
        int bad = labels.AsSpan().IndexOfAnyInRange((byte)10, byte.MaxValue);
        if (bad >= 0)
        {
            throw Error(path, $"label {labels[bad]} at index {bad} is outside 0..9");
        }

        return labels;
    }

    private static byte[] Read(string path, bool images)
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
                return ReadIdx(path, file, images, file.Length, "the file", GzipNameNote(path));
            }

            using var unzipped = new GZipStream(file, CompressionMode.Decompress);
            return ReadIdx(path, unzipped, images, knownLength: null, "the decompressed data", gzipNote: "");
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

    private static byte[] ReadIdx(string path, Stream stream, bool images, long? knownLength, string source, string gzipNote)
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
        if (images)
        {
            uint rows = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8));
            uint cols = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12));
            if (rows != Rows || cols != Cols)
            {
                throw Error(path, $"images are {rows}x{cols}, expected {Rows}x{Cols}");
            }
        }

        if (count == 0)
        {
            throw Error(path, $"header says 0 {kind}s");
        }

        long bodyLength = count * (long)(images ? Pixels : 1);
        long totalLength = headerLength + bodyLength;
        string claim = images
            ? $"header says {count} images of {Rows}x{Cols} ({totalLength} bytes)"
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

using System.Buffers.Binary;
using System.IO.Compression;
using GpuVae.App.Data;

namespace GpuVae.Tests.App.Data;

/// <summary>Builds IDX files byte by byte, valid or deliberately broken.</summary>
internal static class Idx
{
    /// <summary>A header (magic, count, rows, cols) and n images whose pixel i of image k is (7k + i) mod 256.</summary>
    public static byte[] Images(int n, uint magic = IdxReader.ImageMagic, uint rows = 28, uint cols = 28, uint? count = null)
    {
        var bytes = new byte[16 + n * (int)(rows * cols)];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, magic);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), count ?? (uint)n);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(12), cols);
        for (int i = 16; i < bytes.Length; i++)
        {
            int k = (i - 16) / (int)(rows * cols);
            bytes[i] = (byte)(7 * k + i - 16);
        }

        return bytes;
    }

    /// <summary>A label header (magic, count) followed by the labels.</summary>
    public static byte[] Labels(byte[] labels, uint magic = IdxReader.LabelMagic, uint? count = null)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, magic);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), count ?? (uint)labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(bytes);
        }

        return buffer.ToArray();
    }
}

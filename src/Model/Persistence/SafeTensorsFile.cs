using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GpuVae.Model.Persistence;

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON
/// header mapping each tensor name to {dtype, shape, data_offsets} plus string metadata
/// under "__metadata__", then the raw little-endian data. Only F32 tensors are used here.
/// Reading validates every offset and shape against the file before trusting it.
/// </summary>
public static class SafeTensorsFile
{
    /// <summary>Headers beyond this are not ours; refusing them bounds what a corrupt length can allocate.</summary>
    private const long MaximumHeaderBytes = 1 << 24;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public sealed record Entry(string Name, int[] Shape, float[] Data);

    /// <summary>
    /// A tensor to write, fetched only when its turn comes: its name, shape, and a call that
    /// fills a span of its length with its values. A checkpoint written from sources holds one
    /// tensor's values at a time, not a copy of every tensor and then of the whole file (31 MB
    /// an epoch at the default sizes, left for the collector).
    /// </summary>
    public sealed record Source(string Name, int[] Shape, Action<Span<float>> Fill)
    {
        public int Length => Shape.Aggregate(1, (product, dimension) => checked(product * dimension));
    }

    /// <summary>Writes tensors and metadata to path atomically: a temporary file, flushed, then renamed.</summary>
    public static void Write(string path, IReadOnlyList<Entry> tensors, IReadOnlyDictionary<string, string> metadata) =>
        Write(path, [.. tensors.Select(tensor => new Source(tensor.Name, tensor.Shape, values => tensor.Data.CopyTo(values)))], metadata);

    /// <summary>Writes tensors and metadata to path atomically, one tensor's values in memory at a time.</summary>
    public static void Write(string path, IReadOnlyList<Source> tensors, IReadOnlyDictionary<string, string> metadata) =>
        AtomicFile.Write(path, stream => WriteTo(stream, tensors, metadata));

    private static void WriteTo(Stream stream, IReadOnlyList<Source> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var header = new JsonObject { ["__metadata__"] = new JsonObject(metadata.Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)pair.Value))) };
        long offset = 0;
        foreach (var tensor in tensors)
        {
            long bytes = (long)tensor.Length * sizeof(float);
            header[tensor.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(tensor.Shape.Select(d => (JsonNode?)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }

        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        Span<byte> headerLength = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(headerLength, (ulong)headerBytes.Length);
        stream.Write(headerLength);
        stream.Write(headerBytes);
        var buffer = new float[tensors.Count == 0 ? 0 : tensors.Max(tensor => tensor.Length)];
        foreach (var tensor in tensors)
        {
            var values = buffer.AsSpan(0, tensor.Length);
            tensor.Fill(values);
            if (!BitConverter.IsLittleEndian)
            {
                // The format is little-endian whatever the machine.
                var words = MemoryMarshal.Cast<float, int>(values);
                BinaryPrimitives.ReverseEndianness(words, words);
            }

            stream.Write(MemoryMarshal.AsBytes(values));
        }
    }

    /// <summary>Reads every tensor and the metadata, or throws <see cref="CheckpointException"/> naming the file.</summary>
    public static (Dictionary<string, Entry> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path}: cannot be read: {e.Message}", e);
        }

        if (bytes.Length < 8)
        {
            throw new CheckpointException($"{path}: truncated: {bytes.Length} bytes, shorter than the 8-byte header length");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaximumHeaderBytes || (long)headerLength > bytes.Length - 8)
        {
            throw new CheckpointException($"{path}: the header claims {headerLength} bytes but the file has {bytes.Length - 8} after the length");
        }

        JsonObject header;
        try
        {
            // Strict UTF-8 and no duplicate names, checked while parsing: JsonNode would
            // otherwise fail lazily, with other exception types, when a value is first read.
            string text = StrictUtf8.GetString(bytes, 8, (int)headerLength);
            header = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject
                ?? throw new CheckpointException($"{path}: the header is not a JSON object");
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException)
        {
            throw new CheckpointException($"{path}: the header is not valid UTF-8 JSON: {e.Message}", e);
        }

        long dataStart = 8 + (long)headerLength;
        long dataLength = bytes.Length - dataStart;
        var metadata = new Dictionary<string, string>();
        var tensors = new Dictionary<string, Entry>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (key, value) in node as JsonObject ?? throw Malformed(path, name, "metadata is not an object"))
                {
                    metadata[key] = value is JsonValue v && v.TryGetValue(out string? text) ? text : throw Malformed(path, name, $"metadata {key} is not a string");
                }

                continue;
            }

            tensors[name] = ReadEntry(path, name, node, bytes, dataStart, dataLength);
        }

        return (tensors, metadata);
    }

    private static Entry ReadEntry(string path, string name, JsonNode? node, byte[] bytes, long dataStart, long dataLength)
    {
        if (node is not JsonObject entry)
        {
            throw Malformed(path, name, "the entry is not an object");
        }

        string? dtype = entry["dtype"] is JsonValue d && d.TryGetValue(out string? s) ? s : null;
        if (dtype != "F32")
        {
            throw Malformed(path, name, $"dtype {dtype ?? "missing"}, expected F32");
        }

        int[] shape = ReadIntegers(entry["shape"]) is { } dims && dims.All(v => v is > 0 and <= int.MaxValue)
            ? dims.Select(v => (int)v).ToArray()
            : throw Malformed(path, name, "the shape is not a list of positive integers");
        long[] offsets = ReadIntegers(entry["data_offsets"]) is { Length: 2 } pair ? pair : throw Malformed(path, name, "data_offsets is not two integers");
        // The data holds at most dataLength / 4 floats: a larger product is a lie, found before it can overflow.
        long elements = 1;
        foreach (int dim in shape)
        {
            elements *= dim;
            if (elements > dataLength / sizeof(float))
            {
                throw Malformed(path, name, $"shape ({string.Join(", ", shape)}) needs more than the {dataLength} data bytes");
            }
        }

        if (offsets[0] < 0 || offsets[1] > dataLength || offsets[1] - offsets[0] != elements * sizeof(float))
        {
            throw Malformed(path, name, $"data_offsets [{offsets[0]}, {offsets[1]}] do not hold a {string.Join('x', shape)} F32 tensor inside the {dataLength} data bytes");
        }

        var data = new float[elements];
        for (long i = 0; i < elements; i++)
        {
            data[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)(dataStart + offsets[0] + (i * sizeof(float)))));
        }

        return new Entry(name, shape, data);
    }

    private static long[]? ReadIntegers(JsonNode? node)
    {
        if (node is not JsonArray array)
        {
            return null;
        }

        var values = new long[array.Count];
        for (int i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonValue value || !value.TryGetValue(out long integer))
            {
                return null;
            }

            values[i] = integer;
        }

        return values;
    }

    private static CheckpointException Malformed(string path, string name, string problem) => new($"{path}: tensor {name}: {problem}");
}

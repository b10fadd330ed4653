using System.Buffers.Binary;
using System.Diagnostics;
using GpuVae.App.Data;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.App.Data;

/// <summary>
/// Feeds random and mutated byte strings to the IDX reader: whatever the bytes, the only
/// exception that may escape is <see cref="MnistDataException"/>.
/// </summary>
public sealed class IdxReaderFuzzTests : IDisposable
{
    private const int Cases = 3000;

    // Values that sit on the reader's boundaries: zero, the expected 28, its neighbours, the
    // two magics, and counts whose byte sizes overflow int or exceed any array.
    private static readonly uint[] HeaderValues =
        [0, 1, 2, 3, 27, 28, 29, IdxReader.ImageMagic, IdxReader.LabelMagic, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 2_739_147, 2_000_000];

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void OnlyMnistDataExceptionEverEscapes()
    {
        int seed = Environment.GetEnvironmentVariable("GPUVAE_FUZZ_SEED") is { } fixedSeed
            ? int.Parse(fixedSeed, System.Globalization.CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        TestContext.Current.TestOutputHelper?.WriteLine($"fuzz seed {seed} (rerun with GPUVAE_FUZZ_SEED={seed})");
        var random = new Random(seed);
        byte[][] raw = [Idx.Images(3), Idx.Labels([3, 0, 9])];
        byte[][] valid = [.. raw, Idx.Gzip(Idx.Images(2)), Idx.Gzip(Idx.Labels([1, 2]))];

        var failures = new List<string>();
        int accepted = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Cases; i++)
        {
            int kind = random.Next(6);
            byte[] bytes = kind < 5 ? Mutate(kind, valid[random.Next(valid.Length)], random) : EditHeader(raw[random.Next(raw.Length)], random);

            // Half the cases carry a .gz name, so the name never decides how bytes are read.
            string path = _folder.Write(i % 2 == 0 ? "case" : "case.gz", bytes);
            foreach (Func<string, byte[]> read in new Func<string, byte[]>[] { IdxReader.ReadImages, IdxReader.ReadLabels })
            {
                try
                {
                    read(path);
                    accepted++;
                }
                catch (MnistDataException)
                {
                }
                catch (Exception e)
                {
                    failures.Add($"seed {seed} case {i} kind {kind} ({bytes.Length} bytes, {Convert.ToHexString(bytes.AsSpan(0, Math.Min(32, bytes.Length)))}...): {e.GetType().Name}: {e.Message}");
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{Cases} cases x 2 readers in {clock.ElapsedMilliseconds} ms, {accepted} reads accepted");
        Assert.True(failures.Count == 0, $"{failures.Count} reads escaped with another exception:\n{string.Join('\n', failures.Take(20))}");
    }

    private static byte[] Mutate(int kind, byte[] valid, Random random)
    {
        byte[] bytes = (byte[])valid.Clone();
        switch (kind)
        {
            case 0:
                for (int flips = random.Next(1, 9); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return bytes;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            case 2:
                return [.. bytes, .. RandomBytes(random, random.Next(1, 64))];
            case 3:
                return RandomBytes(random, random.Next(0, 300));
            case 4:
                return [0x1f, 0x8b, .. RandomBytes(random, random.Next(0, 300))];
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "mutation kinds are 0..4");
        }
    }

    // One header field (magic, count, rows or cols) set to a boundary or random value, then
    // gzipped half the time so the lie also arrives compressed.
    private static byte[] EditHeader(byte[] raw, Random random)
    {
        byte[] bytes = (byte[])raw.Clone();
        int headerFields = BinaryPrimitives.ReadUInt32BigEndian(bytes) == IdxReader.ImageMagic ? 4 : 2;
        uint value = random.Next(2) == 0 ? HeaderValues[random.Next(HeaderValues.Length)] : (uint)random.NextInt64(uint.MaxValue + 1L);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 * random.Next(headerFields)), value);
        return random.Next(2) == 0 ? Idx.Gzip(bytes) : bytes;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}

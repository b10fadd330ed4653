using System.Text;
using GpuVae.Kernels.Host;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;
using GpuVae.Tests.App.Figures;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Model.Persistence;

/// <summary>Checkpoints: round trips, and every kind of bad file is one CheckpointException naming it.</summary>
public sealed class CheckpointTests
{
    private static readonly VaeConfig Tiny = new(Latent: 2, Hidden: 5, Pixels: 6);

    [Fact]
    public void SavedWeightsAndMomentsLoadBackExactly()
    {
        using var folder = new TempFolder();
        using var backend = new HostBackend();
        using var saved = NewModel(backend, seed: 1);
        Checkpoint.Save(folder.Path, saved, new TrainingState(3, 42, 1, 16));

        using var loaded = new Vae(backend, Checkpoint.ReadConfig(folder.Path));
        var state = Checkpoint.LoadForResume(folder.Path, loaded);
        Assert.Equal(new TrainingState(3, 42, 1, 16), state);
        Assert.Equal(Tiny, loaded.Config);
        for (int t = 0; t < saved.Parameters.Count; t++)
        {
            Assert.Equal(Download(backend, saved.Parameters[t].Value), Download(backend, loaded.Parameters[t].Value));
            Assert.Equal(Download(backend, saved.Parameters[t].FirstMoment), Download(backend, loaded.Parameters[t].FirstMoment));
        }
    }

    [Fact]
    public void WeightsOfAnotherShapeAreRefusedNamingTheTensor()
    {
        using var folder = new TempFolder();
        using var backend = new HostBackend();
        using var saved = NewModel(backend, seed: 1);
        Checkpoint.Save(folder.Path, saved, new TrainingState(1, 1, 1, 16));
        using var wider = new Vae(backend, Tiny with { Latent = 3 });
        var error = Assert.Throws<CheckpointException>(() => Checkpoint.LoadWeights(folder.Path, wider));
        Assert.Contains("encoder.output.weight", error.Message, StringComparison.Ordinal);
        Assert.Contains(Checkpoint.ModelFileName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OptimizerStateFromAnotherEpochIsRefused()
    {
        using var folder = new TempFolder();
        using var other = new TempFolder();
        using var backend = new HostBackend();
        using var model = NewModel(backend, seed: 1);
        Checkpoint.Save(folder.Path, model, new TrainingState(2, 20, 1, 16));
        Checkpoint.Save(other.Path, model, new TrainingState(3, 30, 1, 16));
        File.Copy(Path.Combine(other.Path, Checkpoint.OptimizerFileName), Path.Combine(folder.Path, Checkpoint.OptimizerFileName), overwrite: true);
        var error = Assert.Throws<CheckpointException>(() => Checkpoint.LoadForResume(folder.Path, model));
        Assert.Contains("does not match the weights", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "truncated")]
    [InlineData("\u0010\u0000\u0000\u0000\u0000\u0000\u0000\u0000{}", "the header claims 16 bytes")]
    [InlineData("\u0002\u0000\u0000\u0000\u0000\u0000\u0000\u0000[]", "not a JSON object")]
    [InlineData("\u0003\u0000\u0000\u0000\u0000\u0000\u0000\u0000{x}", "not valid UTF-8 JSON")]
    public void MalformedFilesNameTheFileAndTheProblem(string content, string problem)
    {
        using var folder = new TempFolder();
        string path = folder.Write("bad.safetensors", Encoding.Latin1.GetBytes(content));
        var error = Assert.Throws<CheckpointException>(() => SafeTensorsFile.Read(path));
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHeaderThatLiesAboutOffsetsOrShapesIsRefused()
    {
        using var folder = new TempFolder();
        foreach (var (entry, problem) in new[]
        {
            ("""{"dtype":"F32","shape":[2,2],"data_offsets":[0,32]}""", "data_offsets [0, 32]"),
            ("""{"dtype":"F32","shape":[3,2],"data_offsets":[0,16]}""", "needs more than the 16 data bytes"),
            ("""{"dtype":"F32","shape":[2147483647,2147483647,4],"data_offsets":[0,16]}""", "needs more than"),
            ("""{"dtype":"F16","shape":[2,2],"data_offsets":[0,16]}""", "dtype F16"),
            ("""{"dtype":"F32","shape":[-2,2],"data_offsets":[0,16]}""", "positive integers"),
            ("""{"dtype":"F32","shape":[2,2],"data_offsets":[-4,12]}""", "data_offsets [-4, 12]"),
        })
        {
            string path = folder.Write("lies.safetensors", SafeTensorsBytes("{\"w\":" + entry + "}", dataBytes: 16));
            var error = Assert.Throws<CheckpointException>(() => SafeTensorsFile.Read(path));
            Assert.Contains(problem, error.Message, StringComparison.Ordinal);
            Assert.Contains("tensor w", error.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>Random and mutated files: the reader may only ever throw CheckpointException.</summary>
    [Fact]
    public void FuzzedFilesOnlyEverRaiseCheckpointException()
    {
        using var folder = new TempFolder();
        using var backend = new HostBackend();
        using var model = NewModel(backend, seed: 1);
        Checkpoint.Save(folder.Path, model, new TrainingState(1, 1, 1, 16));
        byte[] valid = File.ReadAllBytes(Path.Combine(folder.Path, Checkpoint.ModelFileName));
        int seed = Environment.TickCount;
        var random = new Random(seed);
        string path = folder.File("fuzz.safetensors");
        for (int trial = 0; trial < 3000; trial++)
        {
            byte[] bytes = Mutate(valid, random);
            File.WriteAllBytes(path, bytes);
            try
            {
                SafeTensorsFile.Read(path);
            }
            catch (CheckpointException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, trial {trial}: {e.GetType().Name} escaped: {e.Message}");
            }
        }
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        int headerEnd = 8 + BitConverter.ToInt32(valid, 0);
        byte[] bytes = (byte[])valid.Clone();
        switch (random.Next(5))
        {
            case 0:
                return bytes[..random.Next(bytes.Length)];
            case 1:
                for (int flips = random.Next(1, 8); flips > 0; flips--)
                {
                    int at = random.Next(headerEnd);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                }

                return bytes;
            case 2:
                // Digits in the header replaced by other digits: shapes and offsets that lie.
                for (int i = 8; i < headerEnd; i++)
                {
                    if (bytes[i] is >= (byte)'0' and <= (byte)'9' && random.Next(10) == 0)
                    {
                        bytes[i] = (byte)('0' + random.Next(10));
                    }
                }

                return bytes;
            case 3:
                BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), random.NextInt64(long.MinValue, long.MaxValue));
                return bytes;
            default:
                var noise = new byte[random.Next(64)];
                random.NextBytes(noise);
                return noise;
        }
    }

    private static byte[] SafeTensorsBytes(string header, int dataBytes)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (long)json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    private static Vae NewModel(HostBackend backend, int seed)
    {
        var model = new Vae(backend, Tiny);
        model.Initialize(seed);
        foreach (var parameter in model.Parameters)
        {
            backend.Fill(parameter.FirstMoment, 0.25f);
        }

        return model;
    }

    private static float[] Download(HostBackend backend, GpuVae.Kernels.Tensor tensor)
    {
        var values = new float[tensor.Length];
        backend.Download(tensor, values);
        return values;
    }
}

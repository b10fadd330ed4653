using GpuVae.Kernels;
using GpuVae.Kernels.Host;
using GpuVae.Model.Network;
using GpuVae.Model.Training;
using GpuVae.Tests.Model.Network;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Model.Training;

/// <summary>
/// The importance-weighted objective at K = 1 against the ELBO. They are not the same
/// function: at K = 1 the bound is -log w = BCE + log q(z | x) - log p(z), the ELBO with its
/// KL estimated from the one sample z, where the ELBO we train uses the analytic KL. Their
/// expectations over eps agree, their per-step encoder gradients do not, so parameters after
/// a step cannot be bit-identical. What is exactly equal, and asserted here on the host: the
/// weight (exp(0) / exp(0) = 1), the bound (BCE - (log p - log q)) and every decoder gradient
/// (the weight 1 scales the BCE's gradient by exactly 1). The encoder's gradient at K = 1 is
/// checked against finite differences of the sampled-KL bound in <see cref="GradientCheckTests"/>.
/// </summary>
public sealed class ImportanceWeightedObjectiveTests
{
    [Fact]
    public void OneSampleIsTheElboWithASampledKl()
    {
        var data = RealMnist.Load();
        var config = new VaeConfig(Latent: 5, Hidden: 32);
        const int Batch = 16;
        const ulong Seed = 3, Step = 11;
        using var backend = new HostBackend();
        using var model = new Vae(backend, config);
        model.Initialize(5);
        using var w = new VaeWorkspace(backend, config, Batch);
        backend.Upload(w.Target, data.Train.Images.AsSpan(0, Batch * config.Pixels));
        model.StageStep(w, Step);
        var dropout = new DropoutSettings(0.9f, Seed, w.Step);

        model.Forward(w, w.Target, dropout, Seed);
        model.Backward(w, w.Target, dropout, TrainingObjective.Elbo);
        var elbo = Gradients(backend, model);

        model.Forward(w, w.Target, dropout, Seed);
        model.Backward(w, w.Target, dropout, new TrainingObjective(Beta: 0));
        var bceOnly = Gradients(backend, model);

        var oneSample = new TrainingObjective(1, ImportanceWeighted: true, Samples: 1);
        model.ForwardImportanceWeighted(w, w.Target, dropout, Seed);
        model.Backward(w, w.Target, dropout, oneSample);
        var weighted = Gradients(backend, model);

        Assert.All(DeviceData.Download(backend, w.ImportanceWeights), weight => Assert.Equal(1f, weight));
        var bce = DeviceData.Download(backend, w.Bce);
        var logPriorOverPosterior = DeviceData.Download(backend, w.LogPriorOverPosterior);
        var bound = DeviceData.Download(backend, w.Bound);
        for (int b = 0; b < Batch; b++)
        {
            Assert.Equal((float)-((double)logPriorOverPosterior[b] - bce[b]), bound[b]);
        }

        foreach (var (name, gradient) in elbo.Where(g => g.Name.StartsWith("decoder.", StringComparison.Ordinal)))
        {
            Assert.True(gradient.AsSpan().SequenceEqual(weighted.Single(g => g.Name == name).Gradient), $"{name}: the K = 1 gradient is not the ELBO's to the bit");
            Assert.True(gradient.AsSpan().SequenceEqual(bceOnly.Single(g => g.Name == name).Gradient), $"{name}: beta changed a decoder gradient");
        }

        // The encoder gradients differ from the ELBO's, by the difference of the two KL gradients: not zero.
        var encoderElbo = elbo.Single(g => g.Name == "encoder.output.weight").Gradient;
        var encoderWeighted = weighted.Single(g => g.Name == "encoder.output.weight").Gradient;
        Assert.False(encoderElbo.AsSpan().SequenceEqual(encoderWeighted), "the sampled KL's gradient equals the analytic one's");
    }

    private static List<(string Name, float[] Gradient)> Gradients(Backend backend, Vae model) =>
        [.. model.Parameters.Select(p => (p.Name, DeviceData.Download(backend, p.Gradient)))];
}

using GpuVae.Kernels.Host;
using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;
using Xunit;

namespace GpuVae.Tests.Support;

/// <summary>
/// A conditional VAE trained here for the explorer's tests (Z = 2, H = 32, one epoch on the
/// first <see cref="TrainImages"/> training images, host backend: a few seconds), saved as a
/// checkpoint and loaded back as `serve` loads one; served on a free loopback port with a second
/// copy of the same weights through which the tests compute what the server should answer.
/// </summary>
public sealed class CvaeExplorerFixture : IAsyncLifetime
{
    /// <summary>Test images served; enough for the plane to show every class.</summary>
    public const int Images = 500;

    /// <summary>MNIST's digits.</summary>
    public const int Classes = 10;

    /// <summary>Enough steps (20 of 50 images) that each class's label weights have moved away from their initialization.</summary>
    private const int TrainImages = 1000;

    private readonly TempFolder folder = new();
    private ServedModel? served;

    public string Checkpoint => Path.Combine(folder.Path, "dim2");

    public Uri Url => served!.Server.Url;

    public HttpClient Http => served!.Http;

    /// <summary>The same weights as the server's, for decodes computed through the Model API directly.</summary>
    public VaeInference Reference => served!.Reference;

    public async ValueTask InitializeAsync()
    {
        var data = RealMnist.Load();
        var config = new VaeConfig(Latent: 2, Hidden: 32) { Kind = ModelKind.Cvae, Classes = Classes };
        var options = new TrainingOptions { Epochs = 1, BatchSize = 50 };
        using (var trainingBackend = new HostBackend())
        using (var model = new Vae(trainingBackend, config))
        {
            model.Initialize(seed: 0);
            var labels = new TrainingLabels(
                LabelOneHots.Of(data.Train.Labels!.AsSpan(0, TrainImages), Classes), LabelOneHots.Of(data.Test.Labels!.AsSpan(0, Images), Classes));
            using var trainer = new Trainer(
                model, options, data.Train.Images[..(TrainImages * config.Pixels)], data.Test.Images[..(Images * config.Pixels)], labels: labels);
            var metrics = trainer.TrainEpoch(1, progress: null, CancellationToken.None);
            GpuVae.Model.Persistence.Checkpoint.Save(Checkpoint, model, new TrainingState(1, trainer.GlobalStep, options.Seed, options.BatchSize), [metrics]);
        }

        served = await ServedModel.StartAsync(Checkpoint, data.Test, Images);
    }

    /// <summary>Decoder means (D) of one code z as class c, through the reference copy.</summary>
    public float[] Decode(float[] z, int c) => Reference.Decode(z, LabelOneHots.Repeat(c, 1, Classes));

    public async ValueTask DisposeAsync()
    {
        if (served is not null)
        {
            await served.DisposeAsync();
        }

        folder.Dispose();
    }
}

using GpuVae.Model.Evaluation;
using GpuVae.Model.Network;
using GpuVae.Model.Training;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Model.Evaluation;

/// <summary>
/// eval's exact -log p(x) for Z &lt;= 2 on a dim-2 model trained briefly on binarized MNIST:
/// the grid has converged at eval's default of 200 points an axis, and the importance-weighted
/// bound is not below it. (ImportanceWeightedBoundTests checks the integral against a float64
/// oracle on a tiny model.)
/// </summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class ExactLikelihoodTests
{
    private const int TestImages = 100;

    // Doubling 200 points an axis to 400 moved the mean on this model by under 1e-3 nats (and by
    // under 0.005 on the 2-epoch full-MNIST model, 163.10 at 100, 200 and 400); the bar is 0.01.
    private const double RefinementTolerance = 0.01;

    // The k = 1000 bound is above the exact value in expectation; over 100 images its Monte Carlo
    // spread is a few 0.01 nats. Ten times below that fails; a bound more than 5 nats above
    // (the 2-epoch model's gap is 0.64) means the integral dropped mass.
    private const double BoundSlack = 0.05;
    private const double LargestGap = 5;

    [Fact]
    public void TheGridHasConvergedAndTheBoundIsNotBelowIt()
    {
        var backend = Accelerators.Get("host");
        var data = RealMnist.Load();
        var config = new VaeConfig(Latent: 2, Hidden: 64) { Binarization = Binarization.Dynamic };
        using var model = new Vae(backend, config);
        model.Initialize(1);
        float[] test = BinarizedTestSet.Of(data.Test.Images.AsSpan(0, TestImages * config.Pixels), config.Pixels);
        using (var trainer = new Trainer(model, new TrainingOptions { BatchSize = 64, Seed = 1 }, data.Train.Images[..(6000 * config.Pixels)], test))
        {
            for (int epoch = 1; epoch <= 2; epoch++)
            {
                trainer.TrainEpoch(epoch, null, CancellationToken.None);
            }
        }

        double coarse = ExactLikelihood.NegativeLogLikelihoods(model, test, 100).Average();
        double standard = ExactLikelihood.NegativeLogLikelihoods(model, test, 200).Average();
        double fine = ExactLikelihood.NegativeLogLikelihoods(model, test, 400).Average();
        using var inference = new VaeInference(model, seed: 3);
        double bound = inference.ImportanceWeightedNll(test, 1000);
        TestContext.Current.TestOutputHelper?.WriteLine($"exact at 100, 200, 400 points an axis: {coarse:F5}, {standard:F5}, {fine:F5}; bound (k = 1000) {bound:F5}");

        Assert.True(Math.Abs(fine - standard) < RefinementTolerance, $"200 -> 400 points an axis moved -log p(x) from {standard:F5} to {fine:F5}");
        Assert.True(bound >= fine - BoundSlack, $"the bound {bound:F5} is below the exact {fine:F5}");
        Assert.True(bound - fine < LargestGap, $"the bound {bound:F5} is more than {LargestGap} nats above the exact {fine:F5}");
    }
}

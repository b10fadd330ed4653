using GpuVae.Kernels;
using GpuVae.Kernels.Host;
using GpuVae.Model;
using Xunit;

namespace GpuVae.Tests.Model;

/// <summary>
/// The hand-written backward pass of the whole network against central finite differences
/// of an independent float64 forward pass, for every parameter tensor, on a tiny network.
/// </summary>
public sealed class GradientCheckTests
{
    // The analytic gradient is computed in float32: its rounding error is about 1e-7 relative
    // per operation over a few dozen chained operations, and the float64 finite difference
    // with step 1e-5 has truncation error ~1e-10; 1e-3 relative plus 1e-5 absolute leaves
    // two orders of margin while still catching any wrong term (those are O(1) relative).
    private const double AbsoluteTolerance = 1e-5;
    private const double RelativeTolerance = 1e-3;
    private const double FiniteDifferenceStep = 1e-5;

    private static readonly VaeConfig TinyConfig = new(Latent: 3, Hidden: 7, Pixels: 12);

    [Theory]
    [InlineData(1.0f, 11)]
    [InlineData(0.7f, 12)]
    public void BackwardMatchesFiniteDifferencesForEveryParameter(float keepProbability, int seed)
    {
        const int batch = 5;
        const ulong noiseSeed = 99;
        const ulong step = 3;
        using var backend = new HostBackend();
        using var model = new Vae(backend, TinyConfig);
        model.Initialize(seed);
        using var workspace = new VaeWorkspace(backend, TinyConfig, batch);
        var random = new Random(seed);
        var pixels = new float[batch * TinyConfig.Pixels];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)random.NextDouble();
        }

        // Nonzero biases so that every term of the bias gradients is exercised.
        foreach (var parameter in model.Parameters.Where(p => p.Rows == 1))
        {
            var values = new float[parameter.Cols];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)((random.NextDouble() * 0.4) - 0.2);
            }

            backend.Upload(parameter.Value, values);
        }

        backend.Upload(workspace.Target, pixels);
        var dropout = new DropoutSettings(keepProbability, noiseSeed, step);
        model.Forward(workspace, workspace.Target, dropout, noiseSeed, step);
        model.Backward(workspace, workspace.Target, dropout);

        var eps = Download(backend, workspace.Eps);
        var reference = new ReferenceVae(
            TinyConfig, batch, pixels, pixels, eps, keepProbability,
            (slot, element) => GpuVae.Kernels.Dropout.Keeps(keepProbability, noiseSeed, RandomStreams.Of(step, slot), element));
        var parameters = model.Parameters.Select(p => Array.ConvertAll(Download(backend, p.Value), v => (double)v)).ToList();

        double forwardLoss = (Download(backend, workspace.Bce).Sum() + Download(backend, workspace.Kl).Sum()) / batch;
        double referenceLoss = reference.Loss(parameters);
        Assert.True(
            Math.Abs(forwardLoss - referenceLoss) <= 1e-4 * Math.Abs(referenceLoss),
            $"forward loss {forwardLoss} differs from the float64 reference {referenceLoss}");

        for (int t = 0; t < parameters.Count; t++)
        {
            var analytic = Download(backend, model.Parameters[t].Gradient);
            var values = parameters[t];
            for (int i = 0; i < values.Length; i++)
            {
                double saved = values[i];
                values[i] = saved + FiniteDifferenceStep;
                double plus = reference.Loss(parameters);
                values[i] = saved - FiniteDifferenceStep;
                double minus = reference.Loss(parameters);
                values[i] = saved;
                double numeric = (plus - minus) / (2 * FiniteDifferenceStep);
                Assert.True(
                    Math.Abs(analytic[i] - numeric) <= AbsoluteTolerance + (RelativeTolerance * Math.Abs(numeric)),
                    $"{model.Parameters[t].Name}[{i}]: analytic {analytic[i]:G9}, finite difference {numeric:G9}");
            }
        }
    }

    private static float[] Download(Backend backend, Tensor tensor)
    {
        var values = new float[tensor.Length];
        backend.Download(tensor, values);
        return values;
    }
}

using GpuVae.Kernels;
using GpuVae.Kernels.Host;
using GpuVae.Model.Network;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Model.Network;

/// <summary>
/// Vae.Initialize by role: every weight drawn from the truncated variance-scaling normal,
/// every bias zero, whatever the shapes. Z = 1 makes decoder.hidden0.weight (1, H) and
/// H = 1 makes every hidden weight a single row or column, shapes a bias also has.
/// </summary>
public sealed class InitializationTests
{
    // A standard normal truncated at +-2 keeps 1 - 4 phi(2) / (2 Phi(2) - 1) = 0.77374 of its
    // variance, so the weights' stddev is sqrt(1.3 * 2 / fan_in * 0.77374).
    private const double TruncatedVariance = 0.77374;

    // The sample stddev of n draws has a relative standard error of about 1 / sqrt(2n) (less
    // for the light-tailed truncated normal); five of those is a one-in-a-million false alarm.
    private const double StandardErrors = 5;

    // Below this many values a spread says little; those tensors are checked for range alone.
    private const int SpreadMinimum = 100;

    public static TheoryData<int, int> Shapes => new() { { 1, 500 }, { 2, 1 }, { 1, 1 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryWeightIsDrawnAndEveryBiasIsZero(int latent, int hidden)
    {
        var inputs = new RandomInputs();
        var config = new VaeConfig(Latent: latent, Hidden: hidden);
        using var backend = new HostBackend();
        using var model = new Vae(backend, config);
        foreach (var parameter in model.Parameters)
        {
            backend.Upload(parameter.Value, Enumerable.Repeat(float.NaN, parameter.Value.Length).ToArray());
        }

        model.Initialize(inputs.Seed);

        Assert.Equal(6, model.Parameters.Count(p => p.Role == ParameterRole.Weight));
        Assert.Equal(6, model.Parameters.Count(p => p.Role == ParameterRole.Bias));
        foreach (var parameter in model.Parameters)
        {
            float[] values = DeviceData.Download(backend, parameter.Value);
            string what = $"Z = {latent}, H = {hidden}: {parameter.Name} ({parameter.Rows}, {parameter.Cols}) (seed {inputs.Seed})";
            Assert.All(DeviceData.Download(backend, parameter.FirstMoment), m => Assert.Equal(0, m));
            Assert.All(DeviceData.Download(backend, parameter.SecondMoment), v => Assert.Equal(0, v));
            if (parameter.Role == ParameterRole.Bias)
            {
                Compare.Identical(new float[values.Length], values, $"{what} bias");
                continue;
            }

            double stddev = Math.Sqrt(1.3 * 2 / parameter.Rows);
            for (int i = 0; i < values.Length; i++)
            {
                Assert.True(
                    float.IsFinite(values[i]) && values[i] != 0 && Math.Abs(values[i]) <= 2 * stddev * (1 + 1e-6),
                    $"{what}[{i}]: {values[i]:R}, expected non-zero within 2 stddev = {2 * stddev:G6}");
            }

            if (values.Length >= SpreadMinimum)
            {
                double expected = stddev * Math.Sqrt(TruncatedVariance);
                double actual = Math.Sqrt(values.Sum(v => (double)v * v) / values.Length);
                double allowed = StandardErrors * expected / Math.Sqrt(2.0 * values.Length);
                Assert.True(
                    Math.Abs(actual - expected) <= allowed,
                    $"{what}: root mean square {actual:G6}, expected {expected:G6} +- {allowed:G3}");
            }
        }
    }
}

using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels.Operations;

/// <summary>
/// The Adam update against Adam itself, not against our reference: the first step in closed
/// form, lr * g / (|g| + eps) (the bias corrections make m / sqrt(v) = g / |g|), and the
/// second step worked out by hand in double, on every backend. The comparison is of the
/// update p_new - p_old, so that a 0.1% error in the step fails where a comparison of p
/// (of size 1 against an update of 1e-3) would hide it.
/// </summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class AdamClosedFormTests
{
    private const float LearningRate = 1e-3f;

    // The update is a few float operations (two moments, a square root, a division): a few
    // ulp, 1e-6 relative; 1e-5 leaves ten times that and is a hundredth of the 0.1% error this
    // test must catch. The absolute part is the rounding of the new parameter to float: half
    // an ulp, one allowed (at most 1.2e-7 for |p| <= 1: 1.2e-4 of a 1e-3 update, under the
    // 1e-3 to catch).
    private const double UpdateRelative = 1e-5;

    // Shapes whose lengths are 1, odd, and no multiple of any vector or group width.
    private static readonly (int Rows, int Cols)[] Layout = [(1, 1), (7, 33), (1, 33), (33, 7)];

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void TheFirstTwoStepsAreAdamsClosedForm(string kind)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        int length = Layout.Sum(shape => shape.Rows * shape.Cols);
        float[] p0 = inputs.Uniform(length);
        float[] g1 = inputs.Uniform(length);
        float[] g2 = inputs.Uniform(length);
        // A gradient of exactly 0 and one at the epsilon's scale, where the closed form's
        // epsilon matters: the first updates by 0, the second by about half the learning rate.
        g1[0] = 0;
        g1[1] = 1e-8f;

        using var parameters = DeviceData.Upload(backend, p0, Layout);
        using var m = DeviceData.Upload(backend, new float[length], Layout);
        using var v = DeviceData.Upload(backend, new float[length], Layout);
        using var gradients = DeviceData.Upload(backend, g1, Layout);
        var first = AdamStep.Default(LearningRate, 1);
        using (var values = DeviceData.UploadAdam(backend, first))
        {
            backend.AdamUpdate(parameters, m, v, gradients, values);
        }

        float[] p1 = DeviceData.Download(backend, parameters);

        // Step 1 from m = v = 0: m = (1 - b1) g, v = (1 - b2) g^2, and the corrections
        // 1 / (1 - b1) and 1 / sqrt(1 - b2) leave lr * g / (|g| + eps).
        double[] expected1 = [.. g1.Select(g => -(double)LearningRate * g / (Math.Abs(g) + (double)first.Epsilon))];
        AssertUpdates(expected1, p0, p1, $"{kind} step 1 (seed {inputs.Seed})");

        using var secondGradients = DeviceData.Upload(backend, g2, Layout);
        var second = AdamStep.Default(LearningRate, 2);
        using (var values = DeviceData.UploadAdam(backend, second))
        {
            backend.AdamUpdate(parameters, m, v, secondGradients, values);
        }

        float[] p2 = DeviceData.Download(backend, parameters);

        // Step 2 by hand, with the betas as the float values the kernels use.
        double b1 = second.Beta1, b2 = second.Beta2, eps = second.Epsilon;
        var expected2 = new double[length];
        for (int i = 0; i < length; i++)
        {
            double m2 = (b1 * (1 - b1) * g1[i]) + ((1 - b1) * g2[i]);
            double v2 = (b2 * (1 - b2) * g1[i] * g1[i]) + ((1 - b2) * g2[i] * g2[i]);
            double mHat = m2 / (1 - (b1 * b1));
            double vHat = v2 / (1 - (b2 * b2));
            expected2[i] = -LearningRate * mHat / (Math.Sqrt(vHat) + eps);
        }

        AssertUpdates(expected2, p1, p2, $"{kind} step 2 (seed {inputs.Seed})");
    }

    private static void AssertUpdates(double[] expected, float[] before, float[] after, string what)
    {
        int worst = -1;
        double worstExcess = double.NegativeInfinity;
        int failures = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double actual = (double)after[i] - before[i];
            double allowed = Ulp(after[i]) + (UpdateRelative * Math.Abs(expected[i]));
            double excess = double.IsNaN(actual) ? double.PositiveInfinity : Math.Abs(actual - expected[i]) - allowed;
            if (excess > 0)
            {
                failures++;
                if (excess > worstExcess)
                {
                    worstExcess = excess;
                    worst = i;
                }
            }
        }

        if (failures > 0)
        {
            double actual = (double)after[worst] - before[worst];
            Assert.Fail(
                $"{what}: {failures} of {expected.Length} updates outside an ulp of p + rtol {UpdateRelative} * |update|; " +
                $"worst [{worst}] expected {expected[worst]:G9}, actual {actual:G9}, relative error {Math.Abs(actual - expected[worst]) / Math.Abs(expected[worst]):G3}");
        }
    }

    /// <summary>The gap to the next float away from zero, twice the rounding error of storing a parameter near x.</summary>
    private static double Ulp(float x) => MathF.BitIncrement(Math.Abs(x)) - Math.Abs(x);
}

using System.Globalization;
using System.Text;
using GpuVae.Kernels.Verification;
using Xunit;

namespace GpuVae.Tests.Support;

/// <summary>Element-by-element comparison that names the first bad index and the largest difference.</summary>
public static class Compare
{
    public static void AllClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, Tolerance tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int failures = 0;
        int first = -1;
        int worst = -1;
        double worstExcess = double.NegativeInfinity;
        for (int i = 0; i < expected.Length; i++)
        {
            double difference = Math.Abs((double)actual[i] - expected[i]);
            bool pass = expected[i] == actual[i] || difference <= tolerance.Bound(expected[i]);
            if (!pass)
            {
                failures++;
                first = first < 0 ? i : first;
            }

            // NaN differences count as infinitely bad, so they are reported as the worst.
            double excess = double.IsNaN(difference) ? double.PositiveInfinity : difference - tolerance.Bound(expected[i]);
            if (!pass && excess > worstExcess)
            {
                worstExcess = excess;
                worst = i;
            }
        }

        if (failures > 0)
        {
            var message = new StringBuilder();
            message.Append(CultureInfo.InvariantCulture, $"{what}: {failures} of {expected.Length} elements outside {tolerance}; ");
            message.Append(CultureInfo.InvariantCulture, $"first at [{first}] expected {expected[first]:R}, actual {actual[first]:R}; ");
            message.Append(CultureInfo.InvariantCulture, $"largest at [{worst}] expected {expected[worst]:R}, actual {actual[worst]:R}, ");
            message.Append(CultureInfo.InvariantCulture, $"difference {Math.Abs((double)actual[worst] - expected[worst]):G4}");
            Assert.Fail(message.ToString());
        }
    }

    /// <summary>Every element within a kernel table tolerance (<see cref="KernelTolerance.Error"/>), NaN failing.</summary>
    public static void Within(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, KernelTolerance tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = KernelTolerance.Error(expected[i], actual[i]);
            if (!(error <= tolerance.MaxError))
            {
                Assert.Fail($"{what}: [{i}] expected {expected[i]:R}, actual {actual[i]:R}: error {error:G3} above {tolerance.MaxError:G3} ({tolerance.Reason})");
            }
        }
    }

    public static void Identical(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: first difference at [{i}]: expected {expected[i]:R}, actual {actual[i]:R}");
            }
        }
    }
}

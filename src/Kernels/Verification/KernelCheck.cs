using System.Diagnostics;

namespace GpuVae.Kernels.Verification;

/// <summary>
/// Runs the cases of <see cref="KernelCases"/> on a backend, each with every kernel the backend
/// can pick for its operation (<see cref="Backend.Choices"/>), and reports the worst error of
/// each: how a user verifies their own device, how <c>bench</c> validates before it times, and
/// what the tests assert.
/// </summary>
public static class KernelCheck
{
    /// <summary>Every case that applies to this backend, or those of the given operations.</summary>
    public static IReadOnlyList<KernelCheckRow> Run(Backend backend, int seed, IReadOnlyCollection<string>? operations = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var context = new KernelCaseContext(backend, new Random(seed));
        var rows = new List<KernelCheckRow>();
        foreach (var kernelCase in KernelCases.All.Where(c => c.AppliesTo(backend) && (operations is null || operations.Contains(c.Operation))))
        {
            var choice = backend.Choices.FirstOrDefault(choice => choice.Operations.Contains(kernelCase.Operation));
            foreach (string kernel in choice?.Kernels ?? [string.Empty])
            {
                if (choice is not null && choice.IsSlow(kernel) && !kernelCase.Small)
                {
                    continue;
                }

                using (choice?.Select(kernel))
                {
                    long start = Stopwatch.GetTimestamp();
                    var outputs = kernelCase.Run(context);
                    rows.Add(Compare(kernelCase, kernel, outputs) with { Milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds });
                }
            }
        }

        return rows;
    }

    private static KernelCheckRow Compare(KernelCase kernelCase, string kernel, (float[] Expected, float[] Actual) outputs)
    {
        var (expected, actual) = outputs;
        if (expected.Length != actual.Length)
        {
            throw new InvalidOperationException($"{kernelCase.Name}: {actual.Length} outputs, the reference {expected.Length}");
        }

        double worst = 0;
        int worstIndex = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = KernelTolerance.Error(expected[i], actual[i]);
            if (double.IsNaN(error) || error > worst)
            {
                worst = error;
                worstIndex = i;
                if (double.IsNaN(error))
                {
                    break;
                }
            }
        }

        return new KernelCheckRow(kernelCase, kernel, worst, worstIndex, expected[worstIndex], actual[worstIndex]);
    }
}

using GpuVae.Kernels;
using GpuVae.Kernels.Benchmarks;
using GpuVae.Kernels.Host;
using GpuVae.Kernels.Verification;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels;

/// <summary>
/// Every case of the kernel table (<see cref="KernelCases"/>), on every accelerator present,
/// with every kernel the backend can pick for the operation, against the plain .NET reference:
/// the same cases `GpuVae check` prints and `bench` validates with. Host rows are left out
/// where the host runs the reference itself.
/// </summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class KernelCaseTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        using var host = new HostBackend();
        foreach (string kind in Accelerators.Names)
        {
            foreach (string operation in KernelCases.Operations)
            {
                if (kind != host.Kind || !host.RunsReference(operation))
                {
                    data.Add(kind, operation);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OperationMatchesReference(string kind, string operation)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        var rows = KernelCheck.Run(backend, inputs.Seed, [operation]);
        Assert.NotEmpty(rows);
        var failures = rows.Where(row => !row.Pass).Select(row => row.ToString()).ToList();
        Assert.True(failures.Count == 0, $"{kind}: {failures.Count} of {rows.Count} cases fail (seed {inputs.Seed}):\n{string.Join("\n", failures)}");
    }

    /// <summary>
    /// Each case calls the operation it is named for, as the backend names it in profiles and
    /// choices, once and through <see cref="KernelCaseContext.Launch"/> (what bench times), and
    /// nothing but transfers around it.
    /// </summary>
    [Fact]
    public void EveryCaseLaunchesTheOperationItNames()
    {
        using var backend = new HostBackend();
        var around = new OperationProfile();
        var launched = new OperationProfile();
        int launches = 0;
        var context = new KernelCaseContext(backend, new Random(1), operation =>
        {
            launches++;
            backend.Profile = launched;
            try
            {
                operation();
            }
            finally
            {
                backend.Profile = around;
            }
        });
        foreach (var kernelCase in KernelCases.All)
        {
            around.Reset();
            launched.Reset();
            launches = 0;
            backend.Profile = around;
            try
            {
                kernelCase.Run(context);
            }
            finally
            {
                backend.Profile = null;
            }

            var ran = launched.Totals.Keys.Select(OperationName.OperationOf).Distinct().ToList();
            var others = around.Totals.Keys.Select(OperationName.OperationOf).Where(name => !OperationName.Transfers.Contains(name)).Distinct().ToList();
            Assert.True(
                launches == 1 && ran.SequenceEqual([kernelCase.Operation]) && others.Count == 0,
                $"{kernelCase.Name}: {launches} launches of [{string.Join(", ", ran)}], and [{string.Join(", ", others)}] around them");
        }
    }
}

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

    /// <summary>Each case calls the operation it is named for, as the backend names it in profiles and choices.</summary>
    [Fact]
    public void EveryCaseRunsTheOperationItNames()
    {
        using var backend = new HostBackend();
        var context = new KernelCaseContext(backend, new Random(1));
        foreach (var kernelCase in KernelCases.All)
        {
            var profile = new OperationProfile();
            backend.Profile = profile;
            try
            {
                kernelCase.Run(context);
            }
            finally
            {
                backend.Profile = null;
            }

            var ran = profile.Totals.Keys.Select(OperationName.OperationOf).Where(name => !OperationName.Transfers.Contains(name)).Distinct().ToList();
            Assert.True(ran.SequenceEqual([kernelCase.Operation]), $"{kernelCase.Name} ran [{string.Join(", ", ran)}]");
        }
    }
}

using System.Collections.Concurrent;
using GpuVae.Kernels;
using GpuVae.Kernels.Ilgpu;
using Xunit;

namespace GpuVae.Tests.Support;

/// <summary>
/// The backends every kernel test runs on: the host backend (its fast SIMD paths against the
/// same references) and ILGPU's CPU accelerator always, CUDA and OpenCL when present (skipped
/// with the reason otherwise; host and the CPU accelerator never skip). One backend per kind serves the
/// whole run: creating one compiles every kernel, which would dominate the tests' time.
/// The backends live until the process ends; the tests that share them are in
/// <see cref="AcceleratorCollection"/>, so they never run concurrently on one stream.
/// </summary>
public static class Accelerators
{
    private static readonly ConcurrentDictionary<string, Lazy<(Backend? Backend, string Reason)>> Backends = new();

    public static readonly IReadOnlyList<string> Names = ["host", "cpu", "cuda", "opencl"];

    public static TheoryData<string> Kinds => new(Names);

    /// <summary>Every kind with every activation: the theories of the activation kernels, which pick up a new Activation value with no edit.</summary>
    public static TheoryData<string, Activation> KindsTimesActivations
    {
        get
        {
            var data = new TheoryData<string, Activation>();
            foreach (string kind in Names)
            {
                foreach (var activation in Enum.GetValues<Activation>())
                {
                    data.Add(kind, activation);
                }
            }

            return data;
        }
    }

    /// <summary>The ILGPU kinds alone, for tests of what only ILGPU has (its group kernels' grids).</summary>
    public static readonly IReadOnlyList<string> IlgpuNames = ["cpu", "cuda", "opencl"];

    public static TheoryData<string> IlgpuKinds => new(IlgpuNames);

    /// <summary>The shared ILGPU backend of this kind, or the test is skipped.</summary>
    internal static IlgpuBackend GetIlgpu(string kind) => (IlgpuBackend)Get(kind);

    /// <summary>The shared backend of this kind, or the test is skipped with the reason it is unavailable.</summary>
    public static Backend Get(string kind)
    {
        var (backend, reason) = Backends.GetOrAdd(kind, k => new Lazy<(Backend?, string)>(() => Create(k))).Value;
        if (backend is null)
        {
            Assert.Skip(reason);
        }

        return backend;
    }

    private static (Backend?, string) Create(string kind)
    {
        try
        {
            var backend = BackendFactory.Create(kind, 0, _ => { });
            return (backend, "");
        }
        catch (AcceleratorUnavailableException e) when (kind is not ("cpu" or "host"))
        {
            return (null, e.Message);
        }
    }
}

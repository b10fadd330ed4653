using System.Collections.Concurrent;
using GpuVae.Kernels.Ilgpu;
using Xunit;

namespace GpuVae.Tests.Support;

/// <summary>
/// The ILGPU accelerators every kernel test runs on: ILGPU's CPU accelerator always, CUDA and
/// OpenCL when present (skipped with the reason otherwise; the CPU accelerator never skips). One backend per kind serves the
/// whole run: creating one compiles every kernel, which would dominate the tests' time.
/// The backends live until the process ends; the tests that share them are in
/// <see cref="AcceleratorCollection"/>, so they never run concurrently on one stream.
/// </summary>
public static class Accelerators
{
    private static readonly ConcurrentDictionary<string, Lazy<(IlgpuBackend? Backend, string Reason)>> Backends = new();

    public static readonly IReadOnlyList<string> Names = ["cpu", "cuda", "opencl"];

    public static TheoryData<string> Kinds => new(Names);

    /// <summary>The shared backend of this kind, or the test is skipped with the reason it is unavailable.</summary>
    public static IlgpuBackend Get(string kind)
    {
        var (backend, reason) = Backends.GetOrAdd(kind, k => new Lazy<(IlgpuBackend?, string)>(() => Create(k))).Value;
        if (backend is null)
        {
            Assert.Skip(reason);
        }

        return backend;
    }

    private static (IlgpuBackend?, string) Create(string kind)
    {
        try
        {
            var backend = (IlgpuBackend)BackendFactory.Create(kind, 0, _ => { });
            return (backend, "");
        }
        catch (AcceleratorUnavailableException e) when (kind != "cpu")
        {
            return (null, e.Message);
        }
    }
}

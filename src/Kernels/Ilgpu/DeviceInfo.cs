namespace GpuVae.Kernels.Ilgpu;

/// <summary>
/// One device ILGPU sees, as <c>GpuVae devices</c> lists it. Kind and Index are what
/// --accelerator and --device take; Usable is false with the Reason when ILGPU cannot run
/// our kernels there.
/// </summary>
public sealed record DeviceInfo(
    string Kind, int Index, string Name, long MemoryBytes, int WarpSize, int MaxGroupSize, bool Usable, string Reason);

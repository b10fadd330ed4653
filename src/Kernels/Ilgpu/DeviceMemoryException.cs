namespace GpuVae.Kernels.Ilgpu;

/// <summary>A tensor did not fit in the device's memory; the message gives the size asked for.</summary>
public sealed class DeviceMemoryException(string message, Exception inner) : Exception(message, inner);

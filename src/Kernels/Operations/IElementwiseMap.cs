namespace GpuVae.Kernels.Operations;

/// <summary>
/// The body of a one-in, one-out elementwise kernel: y[i] = Apply(x[i], i, stream). A map is a small
/// struct of scalars (a seed, a fraction) that lives in its family file beside its reference;
/// <see cref="ElementwiseMap"/> runs it on the host and as an ILGPU kernel, so it is written once
/// for every backend. The index is the element's position, so random maps draw from Philox
/// with it as counter and give the same values on every backend and launch shape. The stream
/// is the step's (<see cref="StepValues"/>), read on the device, so it is no field of the map.
/// </summary>
internal interface IElementwiseMap
{
    float Apply(float x, int index, ulong stream);
}

using GpuVae.Kernels.Operations;

namespace GpuVae.Kernels;

/// <summary>
/// The Philox stream of one random draw: the one staged in a slot of a step's values, which
/// the kernels read on the device (see <see cref="StepValues"/>).
/// </summary>
public readonly record struct RandomStream(StepValues Values, int Slot)
{
    /// <summary>The stream as staged on the host: what references and the host backend draw with.</summary>
    public ulong Value => Values.Stream(Slot);
}

using GpuVae.Kernels;

namespace GpuVae.Model.Network;

/// <summary>
/// Whether and how a forward pass drops hidden units. The masks' streams are the step's, in
/// its values (each hidden layer has a slot), so each step draws fresh masks and backward
/// recomputes the very same ones.
/// </summary>
public readonly record struct DropoutSettings(float KeepProbability, ulong Seed, StepValues? Values)
{
    public static DropoutSettings Off => new(1, 0, null);

    public bool IsActive => KeepProbability < 1;

    /// <summary>The mask stream of the hidden layer in this slot.</summary>
    public RandomStream StreamOf(int slot) =>
        new(Values ?? throw new InvalidOperationException("dropout is active but no step values hold its streams"), slot);
}

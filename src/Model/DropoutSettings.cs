namespace GpuVae.Model;

/// <summary>
/// Whether and how a forward pass drops hidden units. The stream identifies the step, so
/// each step draws fresh masks and backward recomputes the very same ones.
/// </summary>
public readonly record struct DropoutSettings(float KeepProbability, ulong Seed, ulong Stream)
{
    public static DropoutSettings Off => new(1, 0, 0);

    public bool IsActive => KeepProbability < 1;
}

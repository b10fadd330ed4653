using GpuVae.Kernels;
using GpuVae.Kernels.Operations;

namespace GpuVae.Model.Network;

/// <summary>
/// Carves one Philox stream per (step, use) so that no two random draws of a run share
/// counters: slots 0-3 are the hidden layers' dropout masks, 4 the latent noise, 5 the
/// input corruption, 6 the binarized pixels, 7 a fifth hidden layer's mask. Evaluation uses
/// steps with the top bit set, never reached by training.
/// </summary>
/// <remarks>
/// A deeper layer list takes its further dropout slots after 6 (<see cref="DropoutSlots"/>),
/// so the four hidden layers of the TensorFlow original, the noise, the corruption and the
/// binarization keep the streams that every saved run drew. A step holds
/// <see cref="StepValues.StreamSlots"/> streams, so five hidden layers in all is the most a
/// network has; more would need more slots there and a numbering for them past step * 8 + 7
/// that leaves these streams where they are.
/// </remarks>
public static class RandomStreams
{
    public const int LatentNoiseSlot = 4;
    public const int InputNoiseSlot = 5;
    public const int BinarizeSlot = 6;
    private const int SlotsPerStep = StepValues.StreamSlots;

    /// <summary>The dropout slots of the hidden layers, in the network's order: 0-3, then the slots after the binarization's.</summary>
    public static IReadOnlyList<int> DropoutSlots { get; } =
        [.. Enumerable.Range(0, SlotsPerStep).Where(slot => slot is not (LatentNoiseSlot or InputNoiseSlot or BinarizeSlot))];

    /// <summary>Added to evaluation draw indices so they never collide with training steps.</summary>
    public const ulong EvaluationBase = 1UL << 60;

    public static ulong Of(ulong step, int slot) => (step * SlotsPerStep) + (ulong)slot;

    /// <summary>Stages every slot's stream of a step in its values, where the kernels read them.</summary>
    public static void Stage(StepValues values, ulong step)
    {
        ArgumentNullException.ThrowIfNull(values);
        for (int slot = 0; slot < SlotsPerStep; slot++)
        {
            values.SetStream(slot, Of(step, slot));
        }
    }
}

using GpuVae.Kernels;
using GpuVae.Kernels.Operations;

namespace GpuVae.Model.Network;

/// <summary>
/// Carves one Philox stream per (step, use) so that no two random draws of a run share
/// counters: slots 0-3 are the hidden layers' dropout masks, 4 the latent noise, 5 the
/// input corruption, 6 the binarized pixels. Evaluation uses steps with the top bit set, never reached by training.
/// </summary>
public static class RandomStreams
{
    public const int LatentNoiseSlot = 4;
    public const int InputNoiseSlot = 5;
    public const int BinarizeSlot = 6;
    private const int SlotsPerStep = StepValues.StreamSlots;

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

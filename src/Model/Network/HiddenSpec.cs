using GpuVae.Kernels;

namespace GpuVae.Model.Network;

/// <summary>One hidden layer as a user states it: its width and its activation, written W:act (500:elu).</summary>
public sealed record HiddenSpec(int Units, Activation Activation)
{
    public override string ToString() => $"{Units}:{ActivationNames.Name(Activation)}";
}

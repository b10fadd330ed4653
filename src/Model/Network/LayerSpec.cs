using GpuVae.Kernels;

namespace GpuVae.Model.Network;

/// <summary>
/// One dense layer of the network as the list states it: its parameters' name prefix, its sizes,
/// its activation (null for the Gaussian head, whose output is mu beside 1e-6 + softplus(sigma)
/// rather than one elementwise function), the step's random-stream slot of its dropout mask (null
/// for the output layers, which drop nothing), and Labels: C for a layer that also reads the
/// label's one-hot row through a (C, out) weight, 0 for one that does not.
/// </summary>
public sealed record LayerSpec(string Name, int Inputs, int Outputs, Activation? Activation, int? DropoutSlot, int Labels)
{
    public bool ReadsLabel => Labels > 0;

    /// <summary>The fan-in of its weights' initialization: the inputs, and C for a layer that reads the label, as one weight over [x, y] has.</summary>
    public int FanIn => Inputs + Labels;
}

using GpuVae.Kernels;

namespace GpuVae.Model;

/// <summary>
/// dense -> activation -> dropout: one hidden layer of the seed's MLPs, with its backward
/// pass beside its forward pass.
/// </summary>
public sealed class HiddenLayer
{
    public HiddenLayer(IBackend backend, ModelParameters parameters, string name, Activation activation, int slot)
    {
        Backend = backend;
        Dense = new DenseLayer(backend, parameters, name);
        Activation = activation;
        Slot = slot;
    }

    public DenseLayer Dense { get; }

    public Activation Activation { get; }

    /// <summary>Which of the step's random streams this layer's dropout mask uses.</summary>
    public int Slot { get; }

    private IBackend Backend { get; }

    public void Forward(HiddenActivations a, Tensor x, DropoutSettings dropout)
    {
        Dense.Forward(a.PreActivation, x);
        Backend.ActivationForward(Activation, a.PostActivation, a.PreActivation);
        if (dropout.IsActive)
        {
            Backend.DropoutForward(a.Dropped, a.PostActivation, dropout.KeepProbability, dropout.Seed, StreamOf(dropout));
        }
    }

    /// <summary>a.Gradient holds d(loss)/d(output) on entry and is consumed; dx receives d(loss)/dx.</summary>
    public void Backward(Tensor? dx, HiddenActivations a, Tensor x, DropoutSettings dropout)
    {
        if (dropout.IsActive)
        {
            Backend.DropoutBackward(a.Gradient, a.Gradient, dropout.KeepProbability, dropout.Seed, StreamOf(dropout));
        }

        Backend.ActivationBackward(Activation, a.Gradient, a.Gradient, a.PreActivation, a.PostActivation);
        Dense.Backward(dx, a.Gradient, x);
    }

    private ulong StreamOf(DropoutSettings dropout) => RandomStreams.Of(dropout.Stream, Slot);
}

using GpuVae.Kernels;

namespace GpuVae.Model.Network;

/// <summary>
/// dense -> activation -> dropout: one hidden layer of the TensorFlow original's MLPs, with its backward
/// pass beside its forward pass.
/// </summary>
public sealed class HiddenLayer
{
    /// <summary>The layer a hidden layer of the list states, over the parameters named after it.</summary>
    public HiddenLayer(Backend backend, ModelParameters parameters, LayerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Backend = backend;
        Dense = new DenseLayer(backend, parameters, spec.Name);
        Activation = spec.Activation ?? throw new ArgumentException($"{spec.Name} has no activation: not a hidden layer", nameof(spec));
        Slot = spec.DropoutSlot ?? throw new ArgumentException($"{spec.Name} has no dropout slot: not a hidden layer", nameof(spec));
    }

    public DenseLayer Dense { get; }

    public Activation Activation { get; }

    /// <summary>Which of the step's random streams this layer's dropout mask uses.</summary>
    public int Slot { get; }

    private Backend Backend { get; }

    /// <summary>The GEMM (two with a label weight, which reads labels (B, C)), then bias, activation and dropout in one fused pass.</summary>
    public void Forward(HiddenActivations a, Tensor x, DropoutSettings dropout, Tensor? labels = null)
    {
        Dense.Multiply(a.PreActivation, x, labels);
        if (dropout.IsActive)
        {
            Backend.BiasActivationDropoutForward(
                Activation, a.Dropped, a.PostActivation, a.PreActivation, Dense.Bias.Value, dropout.KeepProbability, dropout.Seed, dropout.StreamOf(Slot));
        }
        else
        {
            Backend.BiasActivationForward(Activation, a.PostActivation, a.PreActivation, Dense.Bias.Value);
        }
    }

    /// <summary>a.Gradient holds d(loss)/d(output) on entry and is consumed; dx receives d(loss)/dx.</summary>
    public void Backward(Tensor? dx, HiddenActivations a, Tensor x, DropoutSettings dropout, Tensor? labels = null)
    {
        if (dropout.IsActive)
        {
            Backend.DropoutActivationBackward(
                Activation, a.Gradient, a.Gradient, a.PreActivation, a.PostActivation, dropout.KeepProbability, dropout.Seed, dropout.StreamOf(Slot));
        }
        else
        {
            Backend.ActivationBackward(Activation, a.Gradient, a.Gradient, a.PreActivation, a.PostActivation);
        }

        Dense.Backward(dx, a.Gradient, x, labels);
    }
}

using GpuVae.Kernels;

namespace GpuVae.Model.Network;

/// <summary>A hidden layer's buffers for one batch size: all (B, out).</summary>
public sealed class HiddenActivations : IDisposable
{
    private readonly Tensor dropped;

    public HiddenActivations(Backend backend, int rows, int cols)
    {
        PreActivation = backend.Allocate(rows, cols);
        PostActivation = backend.Allocate(rows, cols);
        dropped = backend.Allocate(rows, cols);
        Gradient = backend.Allocate(rows, cols);
    }

    public Tensor PreActivation { get; }

    public Tensor PostActivation { get; }

    /// <summary>After dropout: written only when dropout is active.</summary>
    public Tensor Dropped => dropped;

    public Tensor Gradient { get; }

    /// <summary>What the next layer reads: the dropped units when training, else the activations.</summary>
    public Tensor Output(DropoutSettings dropout) => dropout.IsActive ? dropped : PostActivation;

    public void Dispose()
    {
        PreActivation.Dispose();
        PostActivation.Dispose();
        dropped.Dispose();
        Gradient.Dispose();
    }
}

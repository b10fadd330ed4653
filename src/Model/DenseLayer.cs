using GpuVae.Kernels;

namespace GpuVae.Model;

/// <summary>
/// y = x W + b with W (in, out) and b (1, out), as the seed's tf.matmul layers: the weight
/// layout is the one saved in checkpoints.
/// </summary>
public sealed class DenseLayer : IDisposable
{
    public DenseLayer(IBackend backend, string name, int inputs, int outputs)
    {
        Backend = backend;
        Weight = new Parameter(backend, name + ".weight", inputs, outputs);
        Bias = new Parameter(backend, name + ".bias", 1, outputs);
    }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    public int Inputs => Weight.Rows;

    public int Outputs => Weight.Cols;

    private IBackend Backend { get; }

    /// <summary>y (B, out) = x (B, in) W + b.</summary>
    public void Forward(Tensor y, Tensor x)
    {
        Multiply(y, x);
        Backend.AddBias(y, Bias.Value);
    }

    /// <summary>
    /// y (B, out) = x (B, in) W without the bias: for layers whose activation adds it in a
    /// fused epilogue (<see cref="IBackend.BiasActivationForward"/>).
    /// </summary>
    public void Multiply(Tensor y, Tensor x) => Backend.Gemm(y, x, false, Weight.Value, false, 1, 0);

    /// <summary>dW = x^T dy; db = column sums of dy; dx = dy W^T when dx is wanted.</summary>
    public void Backward(Tensor? dx, Tensor dy, Tensor x)
    {
        Backend.Gemm(Weight.Gradient, x, true, dy, false, 1, 0);
        Backend.SumColumns(Bias.Gradient, dy, 1);
        if (dx is not null)
        {
            Backend.Gemm(dx, dy, false, Weight.Value, true, 1, 0);
        }
    }

    public void Dispose()
    {
        Weight.Dispose();
        Bias.Dispose();
    }
}

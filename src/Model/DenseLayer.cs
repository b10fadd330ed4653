using GpuVae.Kernels;

namespace GpuVae.Model;

/// <summary>
/// y = x W + b with W (in, out) and b (1, out), as the TensorFlow original's tf.matmul layers: the weight
/// layout is the one saved in checkpoints.
/// </summary>
public sealed class DenseLayer
{
    /// <summary>The layer over the parameters that <see cref="Shapes"/> named.</summary>
    public DenseLayer(Backend backend, ModelParameters parameters, string name)
    {
        Backend = backend;
        Weight = parameters[name + ".weight"];
        Bias = parameters[name + ".bias"];
    }

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    public int Inputs => Weight.Rows;

    public int Outputs => Weight.Cols;

    private Backend Backend { get; }

    /// <summary>
    /// The parameters a layer <paramref name="name"/> from inputs to outputs needs, as
    /// <see cref="ModelParameters"/> takes them, each with the role it has here.
    /// </summary>
    public static (string Name, int Rows, int Cols, ParameterRole Role)[] Shapes(string name, int inputs, int outputs) =>
        [(name + ".weight", inputs, outputs, ParameterRole.Weight), (name + ".bias", 1, outputs, ParameterRole.Bias)];

    /// <summary>y (B, out) = x (B, in) W + b.</summary>
    public void Forward(Tensor y, Tensor x)
    {
        Multiply(y, x);
        Backend.AddBias(y, Bias.Value);
    }

    /// <summary>
    /// y (B, out) = x (B, in) W without the bias: for layers whose activation adds it in a
    /// fused epilogue (<see cref="Backend.BiasActivationForward"/>).
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
}

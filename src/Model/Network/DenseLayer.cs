using GpuVae.Kernels;
using GpuVae.Kernels.Operations;

namespace GpuVae.Model.Network;

/// <summary>
/// y = x W + b with W (in, out) and b (1, out), as the TensorFlow original's tf.matmul layers: the weight
/// layout is the one saved in checkpoints. A layer of the conditional VAE that reads the label
/// too has y = x W + l W_label + b with l (B, C) one-hot rows and W_label (C, out): the
/// hwalsuklee/tensorflow-mnist-CVAE layer over [x, l], its weight split in two so that x and l
/// need not be concatenated.
/// </summary>
public sealed class DenseLayer
{
    /// <summary>The layer over the parameters that <see cref="Shapes"/> named.</summary>
    public DenseLayer(Backend backend, ModelParameters parameters, string name)
    {
        Backend = backend;
        Weight = parameters[name + ".weight"];
        Bias = parameters[name + ".bias"];
        LabelWeight = parameters.FirstOrDefault(parameter => parameter.Name == name + LabelWeightSuffix);
    }

    /// <summary>The label weight's name after the layer's, as in encoder.hidden0.label_weight.</summary>
    public const string LabelWeightSuffix = ".label_weight";

    public Parameter Weight { get; }

    public Parameter Bias { get; }

    /// <summary>W_label (C, out) of a layer that reads the label; null for one that does not.</summary>
    public Parameter? LabelWeight { get; }

    public int Inputs => Weight.Rows;

    public int Outputs => Weight.Cols;

    private Backend Backend { get; }

    /// <summary>
    /// The parameters a layer <paramref name="name"/> from inputs to outputs needs, as
    /// <see cref="ModelParameters"/> takes them, each with the role it has here.
    /// </summary>
    public static (string Name, int Rows, int Cols, ParameterRole Role)[] Shapes(string name, int inputs, int outputs, int labels = 0) =>
    [
        (name + ".weight", inputs, outputs, ParameterRole.Weight), (name + ".bias", 1, outputs, ParameterRole.Bias),
        .. labels > 0 ? [(name + LabelWeightSuffix, labels, outputs, ParameterRole.Weight)] : Array.Empty<(string, int, int, ParameterRole)>(),
    ];

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
    /// <remarks>With a label weight, labels (B, C) adds l W_label: a second GEMM accumulating with beta = 1.</remarks>
    public void Multiply(Tensor y, Tensor x, Tensor? labels = null)
    {
        Backend.Gemm(y, x, false, Weight.Value, false, 1, 0);
        if (LabelWeight is not null)
        {
            Backend.Gemm(y, labels ?? throw new ArgumentNullException(nameof(labels), "the layer reads the label"), false, LabelWeight.Value, false, 1, 1);
        }
    }

    /// <summary>
    /// dW = x^T dy; db = column sums of dy; dW_label = l^T dy with a label weight; dx = dy W^T
    /// when dx is wanted (the label is data, so it needs no gradient).
    /// </summary>
    public void Backward(Tensor? dx, Tensor dy, Tensor x, Tensor? labels = null)
    {
        Backend.Gemm(Weight.Gradient, x, true, dy, false, 1, 0);
        Backend.SumColumns(Bias.Gradient, dy, 1);
        if (LabelWeight is not null)
        {
            Backend.Gemm(LabelWeight.Gradient, labels ?? throw new ArgumentNullException(nameof(labels), "the layer reads the label"), true, dy, false, 1, 0);
        }

        if (dx is not null)
        {
            Backend.Gemm(dx, dy, false, Weight.Value, true, 1, 0);
        }
    }
}

using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using Onnx;

namespace GpuVae.Model.Persistence;

/// <summary>
/// One ONNX graph built up node by node: float inputs and outputs of shape (batch, n) with a
/// symbolic batch dimension, weights as initializers under their checkpoint names, and the
/// dense layers and activations of our network written with the ops that compute what our
/// backend computes, in the same order.
/// </summary>
internal sealed class OnnxGraphBuilder(string name)
{
    /// <summary>The symbolic first dimension of every input and output: any batch size runs.</summary>
    public const string BatchDimension = "batch";

    public GraphProto Graph { get; } = new() { Name = name };

    public void Input(string tensor, int columns) => Graph.Input.Add(Value(tensor, columns));

    public void Output(string tensor, int columns) => Graph.Output.Add(Value(tensor, columns));

    /// <summary>A float initializer of the given shape, row-major as the checkpoint stores it; no dimensions for a scalar.</summary>
    public string Initializer(string tensor, float[] values, params long[] dimensions)
    {
        var initializer = new TensorProto { Name = tensor, DataType = (int)TensorProto.Types.DataType.Float };
        initializer.Dims.Add(dimensions);
        initializer.FloatData.Add(values);
        Graph.Initializer.Add(initializer);
        return tensor;
    }

    /// <summary>A one-dimensional int64 initializer, as shape-like inputs (Split's sizes) take.</summary>
    public string Integers(string tensor, params long[] values)
    {
        var initializer = new TensorProto { Name = tensor, DataType = (int)TensorProto.Types.DataType.Int64 };
        initializer.Dims.Add(values.Length);
        initializer.Int64Data.Add(values);
        Graph.Initializer.Add(initializer);
        return tensor;
    }

    /// <summary>
    /// y (B, out) = x (B, in) W (+ l (B, C) W_label) + b, then the activation when there is one;
    /// returns y's name. The sums come in the backend's order: the label's GEMM accumulates onto
    /// x W, and the fused epilogue adds the bias to that before the activation. The weights are
    /// initializers already added under the names given; y is named output, or after the layer.
    /// </summary>
    public string Dense(string layer, string input, string weight, string bias, (string Input, string Weight)? label, Activation? activation, string? output = null)
    {
        string sum = Node("MatMul", $"{layer}.matmul", input, weight);
        if (label is { } l)
        {
            string labelProduct = Node("MatMul", $"{layer}.label_matmul", l.Input, l.Weight);
            sum = Node("Add", $"{layer}.with_label", sum, labelProduct);
        }

        output ??= $"{layer}.output";
        return activation is { } f ? Activate(f, output, Node("Add", $"{layer}.pre_activation", sum, bias)) : Node("Add", output, sum, bias);
    }

    /// <summary>
    /// Every <see cref="Activation"/> as ONNX ops (opset 17): the one place that maps them, so a
    /// new value fails the export until it is given its ops here.
    /// </summary>
    public string Activate(Activation activation, string output, string input) => activation switch
    {
        // Our ELU is alpha = 1, ONNX's default; stated so no reader has to know that.
        Activation.Elu => Node("Elu", output, [input], new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = 1 }),
        Activation.Tanh => Node("Tanh", output, input),
        Activation.Sigmoid => Node("Sigmoid", output, input),
        Activation.Softplus => Node("Softplus", output, input),
        Activation.Relu => Node("Relu", output, input),
        Activation.Gelu => Gelu(output, input),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "no ONNX ops for this activation"),
    };

    /// <summary>
    /// GELU's tanh approximation as our kernels compute it, x sigmoid(v) with
    /// v = x (2 sqrt(2/pi) + 2 sqrt(2/pi) 0.044715 x^2), op for op: opset 17 has no Gelu
    /// (opset 20's, approximate = "tanh", is 0.5 x (1 + tanh(v / 2)), the same function).
    /// </summary>
    private string Gelu(string output, string x)
    {
        string square = Node("Mul", $"{output}.x2", x, x);
        string quadratic = Node("Mul", $"{output}.quadratic", square, Initializer($"{output}.cubic_term", [Activations.GeluCubicTerm]));
        string slope = Node("Add", $"{output}.slope", Initializer($"{output}.linear_term", [Activations.GeluLinear]), quadratic);
        string argument = Node("Mul", $"{output}.v", x, slope);
        return Node("Mul", output, x, Node("Sigmoid", $"{output}.sigmoid_v", argument));
    }

    /// <summary>Adds a node of one output named output and returns that name.</summary>
    public string Node(string operation, string output, params string[] inputs) => Node(operation, output, inputs, []);

    public string Node(string operation, string output, string[] inputs, params AttributeProto[] attributes)
    {
        Node(operation, [output], inputs, attributes);
        return output;
    }

    /// <summary>Adds a node; it is named after its first output, which is unique in the graph.</summary>
    public void Node(string operation, string[] outputs, string[] inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = operation, Name = outputs[0] };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        node.Attribute.Add(attributes);
        Graph.Node.Add(node);
    }

    private static ValueInfoProto Value(string tensor, int columns)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchDimension });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = columns });
        return new ValueInfoProto
        {
            Name = tensor,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}

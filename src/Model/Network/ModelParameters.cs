using System.Collections;
using GpuVae.Kernels;
using GpuVae.Kernels.Operations;

namespace GpuVae.Model.Network;

/// <summary>
/// Every trainable tensor of a model, in checkpoint order. Values, gradients and the two Adam
/// moments are each one <see cref="TensorBlock"/>, so an optimizer step is one launch on a GPU
/// (the step there is launch-bound: twelve Adam launches were 13% of it on an H100).
/// </summary>
public sealed class ModelParameters : IReadOnlyList<Parameter>, IDisposable
{
    private readonly Parameter[] parameters;

    public ModelParameters(Backend backend, IReadOnlyList<(string Name, int Rows, int Cols, ParameterRole Role)> shapes)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(shapes);
        (int Rows, int Cols)[] layout = [.. shapes.Select(shape => (shape.Rows, shape.Cols))];
        Values = backend.AllocateBlock(layout);
        Gradients = backend.AllocateBlock(layout);
        FirstMoments = backend.AllocateBlock(layout);
        SecondMoments = backend.AllocateBlock(layout);
        parameters = [.. shapes.Select((shape, i) => new Parameter(
            shape.Name, shape.Role, Values.Parts[i], Gradients.Parts[i], FirstMoments.Parts[i], SecondMoments.Parts[i]))];
    }

    public TensorBlock Values { get; }

    public TensorBlock Gradients { get; }

    public TensorBlock FirstMoments { get; }

    public TensorBlock SecondMoments { get; }

    public int Count => parameters.Length;

    public Parameter this[int index] => parameters[index];

    public Parameter this[string name] =>
        parameters.FirstOrDefault(parameter => parameter.Name == name) ?? throw new KeyNotFoundException($"the model has no parameter '{name}'");

    public IEnumerator<Parameter> GetEnumerator() => ((IEnumerable<Parameter>)parameters).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        Values.Dispose();
        Gradients.Dispose();
        FirstMoments.Dispose();
        SecondMoments.Dispose();
    }
}

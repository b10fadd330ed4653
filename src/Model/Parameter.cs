using GpuVae.Kernels;

namespace GpuVae.Model;

/// <summary>
/// One trainable tensor with its gradient and Adam moments, under the name it is saved
/// with in the safetensors checkpoint.
/// </summary>
public sealed class Parameter : IDisposable
{
    public Parameter(IBackend backend, string name, int rows, int cols)
    {
        Name = name;
        Value = backend.Allocate(rows, cols);
        Gradient = backend.Allocate(rows, cols);
        FirstMoment = backend.Allocate(rows, cols);
        SecondMoment = backend.Allocate(rows, cols);
    }

    public string Name { get; }

    public Tensor Value { get; }

    public Tensor Gradient { get; }

    public Tensor FirstMoment { get; }

    public Tensor SecondMoment { get; }

    public int Rows => Value.Rows;

    public int Cols => Value.Cols;

    public void Dispose()
    {
        Value.Dispose();
        Gradient.Dispose();
        FirstMoment.Dispose();
        SecondMoment.Dispose();
    }
}

using GpuVae.Kernels;
using GpuVae.Kernels.Operations;

namespace GpuVae.Model.Network;

/// <summary>
/// One trainable tensor with its gradient and Adam moments, under the name it is saved
/// with in the safetensors checkpoint. The tensors are parts of <see cref="ModelParameters"/>'
/// blocks, which own them. <paramref name="Role"/> is what the owning layer made it.
/// </summary>
public sealed record Parameter(string Name, ParameterRole Role, Tensor Value, Tensor Gradient, Tensor FirstMoment, Tensor SecondMoment)
{
    public int Rows => Value.Rows;

    public int Cols => Value.Cols;
}

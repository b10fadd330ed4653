using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels;

/// <summary>Blocks of tensors allocated together: the parameters, gradients and moments Adam updates in one launch.</summary>
[Collection(nameof(AcceleratorCollection))]
public sealed class TensorBlockTests
{
    private static readonly (int Rows, int Cols)[] Layout = [(7, 33), (1, 33), (1, 1), (33, 7)];

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void PartsStartZeroedAndHoldTheirOwnValues(string kind)
    {
        var backend = Accelerators.Get(kind);
        using var block = backend.AllocateBlock(Layout);
        Assert.Equal(Layout, block.Parts.Select(part => (part.Rows, part.Cols)));
        Assert.Equal(Layout.Sum(shape => shape.Rows * shape.Cols), block.Length);
        Assert.All(DeviceData.Download(backend, block), value => Assert.Equal(0f, value));

        // Each part written on its own, in reverse order: a part that overlapped another, or
        // wrote past its end, would leave a neighbour's values wrong.
        var inputs = new RandomInputs();
        var expected = block.Parts.Select(part => inputs.Uniform(part.Length)).ToArray();
        for (int i = block.Parts.Count - 1; i >= 0; i--)
        {
            backend.Upload(block.Parts[i], expected[i]);
        }

        for (int i = 0; i < block.Parts.Count; i++)
        {
            Compare.Identical(expected[i], DeviceData.Download(backend, block.Parts[i]), $"{kind} part {i} {block.Parts[i]} (seed {inputs.Seed})");
        }

        // On a device the whole block is the parts' memory, in order; the host keeps separate arrays.
        if (block.Whole is { } whole)
        {
            Assert.Equal((1, block.Length), (whole.Rows, whole.Cols));
            Compare.Identical(expected.SelectMany(values => values).ToArray(), DeviceData.Download(backend, whole), $"{kind} whole block");
        }
        else
        {
            Assert.Equal("host", kind);
        }
    }
}

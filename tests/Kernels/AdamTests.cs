using GpuVae.Kernels;
using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Kernels;

[Collection(nameof(AcceleratorCollection))]
public sealed class AdamTests
{
    // The kernel updates in float, the reference in double (both take the bias corrections
    // computed once in double): moments and parameters agree to a few ulp of their size (1e-5
    // relative) plus 1e-7 absolute, a ten-thousandth of a 1e-3 learning rate.
    private static readonly Tolerance Update = new(1e-7, 1e-5);

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string kind in Accelerators.Names)
        {
            for (int layout = 0; layout < Layouts.Length; layout++)
            {
                data.Add(kind, layout);
            }
        }

        return data;
    }

    // One tensor; a weight and its bias, odd-sized; and a model-sized block of four tensors
    // whose later parts start at offsets that are no multiple of any vector or group width.
    private static readonly ((int Rows, int Cols)[] Shapes, long StepNumber)[] Layouts =
    [
        ([(1, 1)], 1),
        ([(7, 33), (1, 33)], 2),
        ([(784, 500), (1, 500), (500, 7), (1, 7)], 1000),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void BlockUpdateMatchesReference(string kind, int layout)
    {
        var backend = Accelerators.Get(kind);
        var inputs = new RandomInputs();
        var (shapes, stepNumber) = Layouts[layout];
        int length = shapes.Sum(shape => shape.Rows * shape.Cols);
        var step = AdamStep.Default(1e-3f, stepNumber);
        float[] parameters = inputs.Uniform(length);
        float[] m = inputs.Uniform(length, -0.1f, 0.1f);
        float[] v = inputs.Uniform(length, 0, 0.01f);
        float[] g = inputs.Uniform(length);
        using var pBlock = DeviceData.Upload(backend, parameters, shapes);
        using var mBlock = DeviceData.Upload(backend, m, shapes);
        using var vBlock = DeviceData.Upload(backend, v, shapes);
        using var gBlock = DeviceData.Upload(backend, g, shapes);
        Adam.UpdateReference(parameters, m, v, g, step, length);
        backend.AdamUpdate(pBlock, mBlock, vBlock, gBlock, step);
        string what = $"{kind} Adam [{string.Join(", ", shapes)}] step {stepNumber} (seed {inputs.Seed})";
        Compare.AllClose(m, DeviceData.Download(backend, mBlock), Update, $"{what} m");
        Compare.AllClose(v, DeviceData.Download(backend, vBlock), Update, $"{what} v");
        Compare.AllClose(parameters, DeviceData.Download(backend, pBlock), Update, $"{what} parameters");
    }

    [Theory]
    [MemberData(nameof(Accelerators.Kinds), MemberType = typeof(Accelerators))]
    public void BlocksOfDifferentShapesAreRejected(string kind)
    {
        var backend = Accelerators.Get(kind);
        using var weightAndBias = backend.AllocateBlock([(7, 33), (1, 33)]);
        using var transposed = backend.AllocateBlock([(33, 7), (1, 33)]);
        var error = Assert.Throws<ArgumentException>(
            () => backend.AdamUpdate(weightAndBias, weightAndBias, transposed, weightAndBias, AdamStep.Default(1e-3f, 1)));
        Assert.Contains("(33, 7)", error.Message, StringComparison.Ordinal);
    }
}


namespace GpuVae.Model.Network;

/// <summary>The size of one MNIST digit, stated once: the data reader checks it, the model's D is it, the pictures tile it.</summary>
public static class MnistShape
{
    /// <summary>Rows and columns of one digit.</summary>
    public const int Side = 28;

    /// <summary>D: pixels per image.</summary>
    public const int Pixels = Side * Side;
}

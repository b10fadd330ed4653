namespace GpuVae.Kernels.Operations;

/// <summary>
/// The fourth Philox counter word: keeps the streams of different random kernels apart
/// even when they share a seed, a stream and an element index.
/// </summary>
public static class RandomPurpose
{
    public const uint Dropout = 1;
    public const uint Normal = 2;
    public const uint SaltAndPepper = 3;
    public const uint Binarize = 4;
}

using GpuVae.Kernels;
using GpuVae.Kernels.Operations;
using GpuVae.Model.Network;

namespace GpuVae.Model.Evaluation;

/// <summary>
/// The test set of a binarize-trained model, drawn once and the same for every run, backend and
/// command: image n's pixel d is 1 with probability x[n, d], from Philox keyed by
/// <see cref="Seed"/>, stream n, element d (<see cref="Sampling.BinarizeReference"/>). Keying
/// the stream by image makes the first N images of it the same whatever N is evaluated.
/// </summary>
public static class BinarizedTestSet
{
    /// <summary>The fixed seed of the binarized test set (README states it).</summary>
    public const ulong Seed = 0x5EED_B1A5;

    /// <summary>images (N, D) binarized as above; a new array.</summary>
    public static float[] Of(ReadOnlySpan<float> images, int pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pixels);
        if (images.Length % pixels != 0)
        {
            throw new ArgumentException($"{images.Length} values are not whole images of {pixels} pixels", nameof(images));
        }

        var binary = new float[images.Length];
        for (int n = 0; n < images.Length / pixels; n++)
        {
            Sampling.BinarizeReference(binary.AsSpan(n * pixels, pixels), images.Slice(n * pixels, pixels), Seed, (ulong)n, pixels);
        }

        return binary;
    }

    /// <summary>The test images a model is evaluated on: binarized when it was trained binarized, else as given.</summary>
    public static float[] For(VaeConfig config, float[] images) =>
        config.Binarization == Binarization.Dynamic ? Of(images, config.Pixels) : images;
}

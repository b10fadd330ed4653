using GpuVae.App.Data;
using GpuVae.Model.Network;

namespace GpuVae.Tests.Support;

/// <summary>The real MNIST sets, downloaded into the repository's cache once and loaded once per test run.</summary>
internal static class RealMnist
{
    private static readonly Lazy<MnistData> Data = new(() => MnistData.Load(RepositoryPaths.MnistCache, _ => { }));

    public static MnistData Load() => Data.Value;

    /// <summary>The first train and test images as the public API's training data, unlabelled.</summary>
    public static VaeTrainingData ForApi(int train, int test)
    {
        var mnist = Load();
        int pixels = MnistShape.Pixels;
        return VaeTrainingData.FromArrays(
            mnist.Train.Images.AsSpan(0, train * pixels).ToArray(), mnist.Test.Images.AsSpan(0, test * pixels).ToArray(), MnistShape.Side, MnistShape.Side);
    }
}

using GpuVae.App.Data;

namespace GpuVae.Tests.Support;

/// <summary>The real MNIST sets, downloaded into the repository's cache once and loaded once per test run.</summary>
internal static class RealMnist
{
    private static readonly Lazy<MnistData> Data = new(() => MnistData.Load(RepositoryPaths.MnistCache, _ => { }));

    public static MnistData Load() => Data.Value;
}

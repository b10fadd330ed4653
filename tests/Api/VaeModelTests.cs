using GpuVae.Tests.Support;
using Xunit;

namespace GpuVae.Tests.Api;

/// <summary>
/// The public API over the committed dim-2 model (save/dim2) on the host: what each call returns,
/// and bad input refused with an exception that names the argument before anything runs.
/// </summary>
public sealed class VaeModelTests
{
    private static readonly string Dim2 = Path.Combine(RepositoryPaths.Root, "save", "dim2");

    [Fact]
    public void ALoadedModelEncodesDecodesSamplesAndBounds()
    {
        using var model = VaeModel.Load(Dim2, AcceleratorChoice.Host);
        Assert.Equal(new VaeModelConfig(2, "500:elu,500:tanh", "500:tanh,500:elu", 784, 28, 28, 0, false), model.Config);
        Assert.Contains("host", model.Device, StringComparison.Ordinal);
        var images = RealMnist.Load().Test.Images.AsSpan(0, 3 * 784).ToArray();

        var (mu, sigma) = model.Encode(images);
        Assert.Equal(6, mu.Length);
        Assert.All(sigma, s => Assert.True(s > 0));
        Assert.Equal(3 * 784, model.Decode(mu).Length);
        Assert.Equal(model.Decode(mu), model.Reconstruct(images));

        var samples = model.Sample(4, seed: 7);
        Assert.Equal(4 * 784, samples.Length);
        Assert.All(samples, p => Assert.InRange(p, 0f, 1f));
        Assert.Equal(samples, model.Sample(4, seed: 7));
        Assert.NotEqual(samples, model.Sample(4, seed: 8));

        double bound = model.ImportanceWeightedBound(images, samples: 20);
        Assert.InRange(bound, 50, 400);
    }

    [Fact]
    public void BadInputIsAnArgumentExceptionNamingIt()
    {
        using var model = VaeModel.Load(Dim2, AcceleratorChoice.Host);
        AssertNames("images", "785 values", () => model.Encode(new float[785]));
        AssertNames("images", "784 pixels", () => model.Reconstruct([]));
        var nan = new float[784];
        nan[100] = float.NaN;
        AssertNames("images", "pixel 100 of image 0 is NaN", () => model.Encode(nan));
        var bright = new float[2 * 784];
        bright[784 + 3] = 2;
        AssertNames("images", "pixel 3 of image 1 is 2", () => model.ImportanceWeightedBound(bright, 5));
        AssertNames("z", "3 values", () => model.Decode([0f, 1f, 2f]));
        AssertNames("z", "element 1 of code 0 is Infinity", () => model.Decode([0f, float.PositiveInfinity]));
        AssertNames("labels", "plain VAE takes no labels", () => model.Decode([0f, 0f], [3]));
        AssertNames("label", "plain VAE takes no label", () => model.Sample(1, 0, label: 3));
        Assert.Throws<ArgumentOutOfRangeException>("count", () => model.Sample(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>("samples", () => model.ImportanceWeightedBound(new float[784], 0));
    }

    [Fact]
    public void AMissingOrEmptyFolderIsNamed()
    {
        using var folder = new TempFolder();
        string missing = Path.Combine(folder.Path, "nowhere");
        var e = Assert.Throws<DirectoryNotFoundException>(() => VaeModel.Load(missing, AcceleratorChoice.Host));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        var empty = Assert.Throws<FileNotFoundException>(() => VaeModel.Load(folder.Path, AcceleratorChoice.Host));
        Assert.Contains("model.safetensors", empty.Message, StringComparison.Ordinal);
        File.WriteAllBytes(folder.File("model.safetensors"), [1, 2, 3]);
        var garbage = Assert.Throws<InvalidDataException>(() => VaeModel.Load(folder.Path, AcceleratorChoice.Host));
        Assert.Contains(folder.File("model.safetensors"), garbage.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADisposedModelSaysSo()
    {
        var model = VaeModel.Load(Dim2, AcceleratorChoice.Host);
        model.Dispose();
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.Decode([0f, 0f]));
    }

    private static void AssertNames(string parameter, string fragment, Action call)
    {
        var e = Assert.ThrowsAny<ArgumentException>(call);
        Assert.Equal(parameter, e.ParamName);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }
}

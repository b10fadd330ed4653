namespace GpuVae.App.Data;

/// <summary>The training and test sets, fetched into the data folder on first use.</summary>
public sealed record MnistData(MnistSet Train, MnistSet Test)
{
    public static MnistData Load(string directory, Action<string> log)
    {
        Mnist.EnsureDownloaded(directory, log);
        var (train, test) = Mnist.Load(directory);
        log($"MNIST: {train.Count} training and {test.Count} test images from {directory}");
        return new MnistData(train, test);
    }
}

using GpuVae.App.Figures;
using GpuVae.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace GpuVae.Tests.App.Figures;

public sealed class LatentMapTests
{
    private const int Seed = 99;

    private static float[] RandomCodes(int count, int seed)
    {
        var random = new Random(seed);
        var codes = new float[2 * count];
        for (int i = 0; i < codes.Length; i++)
        {
            codes[i] = (2 * random.NextSingle()) - 1;
        }
        return codes;
    }

    private static int[] Labels(int count, Func<int, int> label) => [.. Enumerable.Range(0, count).Select(label)];

    [Fact]
    public void WritesAPngOfTheRequestedSizeWithContent()
    {
        using var folder = new TempFolder();
        const int n = 503;

        LatentMap.Write(folder.File("sub/test_z_map.png"), RandomCodes(n, Seed), Labels(n, i => i % 10), "test: means, dim 2", 640, 480);

        using Image<Rgba32> image = Image.Load<Rgba32>(folder.File("sub/test_z_map.png"));
        Assert.Equal((640, 480), (image.Width, image.Height));
        int colours = Pixels.DistinctColours(image);
        Assert.True(colours > 10, $"only {colours} distinct colours");
        Assert.Empty(folder.TempFiles());
    }

    [Fact]
    public void DefaultSizeIs800By700()
    {
        using var folder = new TempFolder();
        LatentMap.Write(folder.File("map.png"), RandomCodes(10, Seed), Labels(10, i => i), "dim 2");

        using Image<Rgba32> image = Image.Load<Rgba32>(folder.File("map.png"));
        Assert.Equal((800, 700), (image.Width, image.Height));
    }

    [Fact]
    public void ColourFollowsTheLabel()
    {
        using var folder = new TempFolder();
        const int n = 300;
        float[] codes = RandomCodes(n, Seed + 1);

        LatentMap.Write(folder.File("zeros.png"), codes, Labels(n, _ => 0), "all zeros");
        LatentMap.Write(folder.File("ones.png"), codes, Labels(n, _ => 1), "all zeros");

        // Same codes, same title, same legend: only the points' colour can differ.
        using Image<Rgba32> zeros = Image.Load<Rgba32>(folder.File("zeros.png"));
        using Image<Rgba32> ones = Image.Load<Rgba32>(folder.File("ones.png"));
        int differing = 0;
        for (int y = 0; y < zeros.Height; y++)
        {
            for (int x = 0; x < zeros.Width; x++)
            {
                differing += zeros[x, y] == ones[x, y] ? 0 : 1;
            }
        }
        // Each of the 300 points covers several pixels.
        Assert.True(differing > n, $"only {differing} pixels differ");
    }

    [Fact]
    public void RejectsBadInputs()
    {
        using var folder = new TempFolder();
        string path = folder.File("bad.png");
        Assert.Throws<ArgumentException>(() => LatentMap.Write(path, RandomCodes(3, Seed), [1, 2], "t"));
        Assert.Throws<ArgumentException>(() => LatentMap.Write(path, RandomCodes(2, Seed), [1, 10], "t"));
        Assert.Throws<ArgumentException>(() => LatentMap.Write(path, [], [], "t"));
        Assert.False(File.Exists(path));
    }
}

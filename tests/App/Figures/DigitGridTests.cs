using GpuVae.App.Figures;
using GpuVae.Tests.Support;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace GpuVae.Tests.App.Figures;

public sealed class DigitGridTests
{
    private const int D = DigitGrid.Pixels;
    private const int Seed = 1234;

    private static float[] RandomImages(int count, int seed)
    {
        var random = new Random(seed);
        var images = new float[count * D];
        for (int i = 0; i < images.Length; i++)
        {
            images[i] = random.NextSingle();
        }
        return images;
    }

    private static byte Expected(float value) => (byte)MathF.Round(255f * Math.Clamp(value, 0f, 1f));

    [Fact]
    public void ManifoldSizedGridHasDocumentedSize()
    {
        using var folder = new TempFolder();
        float[] images = RandomImages(400, Seed);

        DigitGrid.Write(folder.File("scale1.png"), images, rows: 20, cols: 20, scale: 1, gap: 2);
        DigitGrid.Write(folder.File("scale2.png"), images, rows: 20, cols: 20, scale: 2, gap: 2);

        // 20 * 28 + 19 * 2 = 598, doubled at scale 2.
        using (Image<L8> image = Image.Load<L8>(folder.File("scale1.png")))
        {
            Assert.Equal((598, 598), (image.Width, image.Height));
        }
        using (Image<L8> image = Image.Load<L8>(folder.File("scale2.png")))
        {
            Assert.Equal((1196, 1196), (image.Width, image.Height));
        }
        Assert.Empty(folder.TempFiles());
    }

    [Fact]
    public void PixelsLandInTheirTilesScaledAndBlankTilesAreBlack()
    {
        using var folder = new TempFolder();
        const int rows = 3, cols = 4, count = 7, scale = 3, gap = 1;
        float[] images = RandomImages(count, Seed + 1);
        // Out-of-range values must clamp, not wrap.
        images[(5 * D) + 10] = -0.5f;
        images[(5 * D) + 11] = 1.5f;

        DigitGrid.Write(folder.File("grid.png"), images, rows, cols, scale, gap);

        using Image<L8> image = Image.Load<L8>(folder.File("grid.png"));
        // scale * (cols * 28 + (cols - 1) * gap) by scale * (rows * 28 + (rows - 1) * gap).
        Assert.Equal((345, 258), (image.Width, image.Height));
        for (int n = 0; n < rows * cols; n++)
        {
            int top = n / cols * (28 + gap), left = n % cols * (28 + gap);
            for (int p = 0; p < D; p++)
            {
                byte expected = n < count ? Expected(images[(n * D) + p]) : (byte)0;
                for (int s = 0; s < scale * scale; s++)
                {
                    int x = (scale * (left + (p % 28))) + (s % scale);
                    int y = (scale * (top + (p / 28))) + (s / scale);
                    byte actual = image[x, y].PackedValue;
                    Assert.True(expected == actual, $"image {n} pixel {p} at ({x}, {y}): expected {expected}, got {actual}");
                }
            }
        }
        Assert.Equal(0, image[scale * (28 + gap + 10), scale * (28 + gap)].PackedValue);
        Assert.Equal(255, image[scale * (28 + gap + 11), scale * (28 + gap)].PackedValue);
        byte gapLevel = image[scale * 28, 0].PackedValue;
        Assert.InRange(gapLevel, (byte)1, (byte)254);
    }

    [Fact]
    public void ReconstructionsAlternateRowsInPairs()
    {
        using var folder = new TempFolder();
        const int count = 25, perRow = 10, gap = 2;
        float[] originals = RandomImages(30, Seed + 2);
        float[] reconstructions = RandomImages(30, Seed + 3);

        DigitGrid.WriteReconstructions(folder.File("dim2.png"), originals, reconstructions, count, perRow, scale: 1, gap);

        using Image<L8> image = Image.Load<L8>(folder.File("dim2.png"));
        // P = 3 pairs of rows: width 10 * 28 + 9 * 2 = 298, height 6 * 28 + 5 * 2 + 2 * 2 * 2 = 186.
        Assert.Equal((298, 186), (image.Width, image.Height));
        for (int n = 0; n < count; n++)
        {
            int pair = n / perRow, col = n % perRow;
            int originalTop = (pair * 2 * (28 + gap)) + (pair * 2 * gap);
            int left = col * (28 + gap);
            for (int p = 0; p < D; p++)
            {
                int x = left + (p % 28), y = originalTop + (p / 28);
                Assert.Equal(Expected(originals[(n * D) + p]), image[x, y].PackedValue);
                Assert.Equal(Expected(reconstructions[(n * D) + p]), image[x, y + 28 + gap].PackedValue);
            }
        }
        // The last pair's missing tiles (25..29) are black.
        Assert.Equal(0, image[(5 * (28 + gap)) + 14, (2 * 2 * (28 + gap)) + (2 * 2 * gap) + 14].PackedValue);
    }

    [Fact]
    public void RejectsBadInputs()
    {
        using var folder = new TempFolder();
        string path = folder.File("bad.png");
        Assert.Throws<ArgumentException>(() => DigitGrid.Write(path, new float[D + 1], 1, 1));
        Assert.Throws<ArgumentException>(() => DigitGrid.Write(path, RandomImages(5, Seed), 2, 2));
        float[] withNaN = RandomImages(1, Seed);
        withNaN[17] = float.NaN;
        Assert.Throws<ArgumentException>(() => DigitGrid.Write(path, withNaN, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DigitGrid.Write(path, RandomImages(1, Seed), 1, 1, scale: 0));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => DigitGrid.WriteReconstructions(path, RandomImages(3, Seed), RandomImages(2, Seed), 3, 3));
        Assert.False(File.Exists(path));
        Assert.Empty(folder.TempFiles());
    }
}

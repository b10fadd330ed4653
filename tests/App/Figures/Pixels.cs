using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GpuVae.Tests.App.Figures;

internal static class Pixels
{
    /// <summary>Distinct colours in a PNG: a chart that drew nothing but its background has one.</summary>
    public static int DistinctColours(Image<Rgba32> image)
    {
        var colours = new HashSet<Rgba32>();
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                colours.Add(image[x, y]);
            }
        }
        return colours.Count;
    }
}

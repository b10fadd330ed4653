using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace GpuVae.App.Figures;

/// <summary>
/// Tiles grayscale images (28x28 digits unless told another tile size) into a PNG, white ink on black as MNIST stores them (pixel
/// value 1 is ink). Used for the manifold, samples from the prior, interpolations and
/// reconstructions.
/// <para>Layout: tiles are separated (not surrounded) by <c>gap</c> gray pixels, then the whole
/// picture is enlarged <c>scale</c> times by pixel repetition, so a 20x20 manifold stays sharp
/// at scale 2. With tiles of r x c pixels (28 x 28 for MNIST), width = scale * (cols * c + (cols - 1) * gap)
/// and height = scale * (rows * r + (rows - 1) * gap).</para>
/// </summary>
public static class DigitGrid
{
    /// <summary>Side of one MNIST digit in pixels: the default tile.</summary>
    public const int Side = MnistShape.Side;

    /// <summary>D: pixels per image.</summary>
    public const int Pixels = MnistShape.Pixels;

    /// <summary>Gap between tiles before scaling, in pixels.</summary>
    public const int DefaultGap = 2;

    // Dark gray rather than black so tile edges show where both digits' borders are black.
    private const byte GapLevel = 64;

    /// <summary>
    /// Writes images (N, D), values in [0, 1], row-major, into a rows x cols grid filled row by
    /// row; N may be less than rows * cols, the rest stays black. Values are clamped to [0, 1]
    /// and stored as round(255 * v).
    /// </summary>
    public static void Write(string path, float[] images, int rows, int cols, int scale = 1, int gap = DefaultGap, int tileRows = Side, int tileCols = Side)
    {
        ArgumentNullException.ThrowIfNull(images);
        var tile = new Tile(tileRows, tileCols);
        int count = ImageCount(images, tile, nameof(images));
        CheckLayout(rows, cols, scale, gap);
        if (count > rows * cols)
        {
            throw new ArgumentException($"{count} images do not fit a {rows}x{cols} grid.", nameof(images));
        }

        Save(path, rows, cols, rowsPerGroup: rows, scale, gap, tile, (row, col) =>
        {
            int n = (row * cols) + col;
            return n < count ? new ArraySegment<float>(images, n * tile.Pixels, tile.Pixels) : ArraySegment<float>.Empty;
        });
    }

    /// <summary>
    /// Writes the first <paramref name="count"/> originals and reconstructions, both (N, D) with
    /// N >= count, in alternating rows: a row of <paramref name="perRow"/> originals, then the
    /// same images reconstructed directly below. With P = ceil(count / perRow) such pairs of
    /// rows, the pairs are set apart by 3 * gap instead of gap so the eye groups them: width =
    /// scale * (perRow * c + (perRow - 1) * gap), height = scale * (2P * r + (2P - 1) * gap +
    /// (P - 1) * 2 * gap).
    /// </summary>
    public static void WriteReconstructions(
        string path, float[] originals, float[] reconstructions, int count, int perRow, int scale = 1, int gap = DefaultGap, int tileRows = Side, int tileCols = Side)
    {
        ArgumentNullException.ThrowIfNull(originals);
        ArgumentNullException.ThrowIfNull(reconstructions);
        var tile = new Tile(tileRows, tileCols);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, ImageCount(originals, tile, nameof(originals)));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, ImageCount(reconstructions, tile, nameof(reconstructions)));
        ArgumentOutOfRangeException.ThrowIfLessThan(perRow, 1);
        int pairs = (count + perRow - 1) / perRow;
        CheckLayout(2 * pairs, perRow, scale, gap);

        Save(path, 2 * pairs, perRow, rowsPerGroup: 2, scale, gap, tile, (row, col) =>
        {
            int n = ((row / 2) * perRow) + col;
            float[] source = row % 2 == 0 ? originals : reconstructions;
            return n < count ? new ArraySegment<float>(source, n * tile.Pixels, tile.Pixels) : ArraySegment<float>.Empty;
        });
    }

    private static int ImageCount(float[] images, Tile tile, string name)
    {
        if (images.Length == 0 || images.Length % tile.Pixels != 0)
        {
            throw new ArgumentException($"Expected (N, {tile.Pixels}) values with N >= 1, got {images.Length}.", name);
        }
        return images.Length / tile.Pixels;
    }

    private static void CheckLayout(int rows, int cols, int scale, int gap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cols, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(gap);
    }

    /// <summary><paramref name="tileAt"/> gives the D values of the tile at (row, col), or an
    /// empty segment for a black tile. Every <paramref name="rowsPerGroup"/> rows the gap
    /// between rows is 3 * gap.</summary>
    private static void Save(
        string path, int rows, int cols, int rowsPerGroup, int scale, int gap, Tile size, Func<int, int, ArraySegment<float>> tileAt)
    {
        int groups = (rows + rowsPerGroup - 1) / rowsPerGroup;
        int baseWidth = (cols * size.Cols) + ((cols - 1) * gap);
        int baseHeight = (rows * size.Rows) + ((rows - 1) * gap) + ((groups - 1) * 2 * gap);
        // canvas is (baseHeight, baseWidth) at scale 1; enlarged when copied into the image.
        var canvas = new byte[baseHeight * baseWidth];
        Array.Fill(canvas, GapLevel);
        for (int row = 0; row < rows; row++)
        {
            for (int col = 0; col < cols; col++)
            {
                ArraySegment<float> tile = tileAt(row, col);
                int top = (row * (size.Rows + gap)) + (row / rowsPerGroup * 2 * gap);
                int left = col * (size.Cols + gap);
                for (int y = 0; y < size.Rows; y++)
                {
                    for (int x = 0; x < size.Cols; x++)
                    {
                        canvas[((top + y) * baseWidth) + left + x] = tile.Count == 0 ? (byte)0 : ToGray(tile[(y * size.Cols) + x], row, col);
                    }
                }
            }
        }

        using var image = new Image<L8>(baseWidth * scale, baseHeight * scale);
        image.ProcessPixelRows(pixels =>
        {
            for (int y = 0; y < pixels.Height; y++)
            {
                Span<L8> line = pixels.GetRowSpan(y);
                int source = (y / scale) * baseWidth;
                for (int x = 0; x < line.Length; x++)
                {
                    line[x] = new L8(canvas[source + (x / scale)]);
                }
            }
        });
        AtomicFile.Write(path, stream => image.SaveAsPng(stream));
    }

    private static byte ToGray(float value, int row, int col)
    {
        // A NaN would silently become some gray; a diverged decoder should be reported instead.
        if (float.IsNaN(value))
        {
            throw new ArgumentException($"The image at row {row}, column {col} contains NaN.");
        }
        return (byte)MathF.Round(255f * Math.Clamp(value, 0f, 1f));
    }

    /// <summary>The size of one tile: an image's rows and columns.</summary>
    private readonly record struct Tile
    {
        public Tile(int rows, int cols)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
            ArgumentOutOfRangeException.ThrowIfLessThan(cols, 1);
            (Rows, Cols) = (rows, cols);
        }

        public int Rows { get; }

        public int Cols { get; }

        public int Pixels => Rows * Cols;
    }
}

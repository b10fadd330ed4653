// QuickStart: GpuVae from C#. Trains a dim-2 VAE on the first 3,000 MNIST training images for
// two epochs on the CPU (plain .NET), encodes a test image, bounds -log p(x) of a few test
// images, and draws the decoder's manifold: a 10x10 grid of z in [-2, 2]^2, one digit each.
//
//   dotnet run -c Release -- [mnist folder (data/mnist)] [output folder (quickstart)]
using GpuVae;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

string dataFolder = args.Length > 0 ? args[0] : Path.Combine("data", "mnist");
string outputFolder = args.Length > 1 ? args[1] : "quickstart";
const int Grid = 10;
const float Extent = 2;

var data = VaeTrainingData.FromIdxFolder(dataFolder);
Console.WriteLine($"{data.TrainCount} training and {data.TestCount} test images of {data.Rows}x{data.Cols} from {dataFolder}");

string checkpoint = Path.Combine(outputFolder, "dim2");
// Small batches give 3,000 images enough steps (240) to draw recognizable digits in two epochs.
// Overwrite: running the sample again replaces its model rather than stopping at the one it left.
var options = new VaeTrainingOptions { Latent = 2, Epochs = 2, TrainLimit = 3000, BatchSize = 25, Seed = 0, Accelerator = AcceleratorChoice.Host, Overwrite = true };
VaeTrainer.Train(checkpoint, data, options, new ConsoleProgress());

using var model = VaeModel.Load(checkpoint, AcceleratorChoice.Host);
Console.WriteLine($"loaded {checkpoint}: Z = {model.Config.Latent}, encoder {model.Config.Encoder}, decoder {model.Config.Decoder}, D = {model.Config.Pixels} on {model.Device}");

var image = data.TestImages.Span[..model.Config.Pixels];
var (mu, sigma) = model.Encode(image);
string label = data.TestLabels.IsEmpty ? "?" : data.TestLabels.Span[0].ToString(System.Globalization.CultureInfo.InvariantCulture);
Console.WriteLine($"test image 0 (a {label}): mu = ({mu[0]:F3}, {mu[1]:F3}), sigma = ({sigma[0]:F3}, {sigma[1]:F3})");

var firstHundred = data.TestImages.Span[..(100 * model.Config.Pixels)];
Console.WriteLine($"importance-weighted bound on -log p(x), first 100 test images, k = 50: {model.ImportanceWeightedBound(firstHundred, samples: 50):F2} nats");

// Row r, column c of the grid decodes z = (x, y): x grows to the right, y upwards.
var z = new float[Grid * Grid * 2];
for (int r = 0; r < Grid; r++)
{
    for (int c = 0; c < Grid; c++)
    {
        z[(((r * Grid) + c) * 2) + 0] = -Extent + (2 * Extent * c / (Grid - 1));
        z[(((r * Grid) + c) * 2) + 1] = Extent - (2 * Extent * r / (Grid - 1));
    }
}

float[] digits = model.Decode(z);
int rows = model.Config.ImageRows, cols = model.Config.ImageCols;
using var picture = new Image<L8>(Grid * cols, Grid * rows);
for (int n = 0; n < Grid * Grid; n++)
{
    for (int y = 0; y < rows; y++)
    {
        for (int x = 0; x < cols; x++)
        {
            float value = digits[(n * rows * cols) + (y * cols) + x];
            picture[((n % Grid) * cols) + x, ((n / Grid) * rows) + y] = new L8((byte)MathF.Round(255 * Math.Clamp(value, 0, 1)));
        }
    }
}

string png = Path.Combine(outputFolder, "manifold.png");
picture.SaveAsPng(png);
Console.WriteLine($"{png}: {picture.Width}x{picture.Height}, the decoder over z in [-{Extent}, {Extent}]^2");

/// <summary>Prints each epoch as it finishes (synchronously, unlike Progress&lt;T&gt;, which posts to the thread pool).</summary>
internal sealed class ConsoleProgress : IProgress<EpochReport>
{
    public void Report(EpochReport value) =>
        Console.WriteLine($"epoch {value.Epoch}/{value.Epochs}: train loss {value.TrainLoss:F2}, test loss {value.TestLoss:F2} (BCE {value.TestBce:F2}, KLD {value.TestKld:F2}), {value.ImagesPerSecond:F0} img/s");
}

using System.CommandLine;
using GpuVae.App.Experiment;

namespace GpuVae.App.Options;

/// <summary>The picture options shared by sweep and plot.</summary>
public sealed class FigureArguments
{
    public Option<int> ManifoldSize { get; } = new("--manifold-size") { Description = "The dim-2 manifold's grid: N x N decodings", DefaultValueFactory = _ => 20 };

    public Option<float> ManifoldRange { get; } = new("--manifold-range") { Description = "The manifold covers z in [-R, R]^2", DefaultValueFactory = _ => 2f };

    public Option<int> ZMapImages { get; } = new("--zmap-images") { Description = "Images whose dim-2 codes the z maps plot", DefaultValueFactory = _ => 5000 };

    public IEnumerable<Option> All => [ManifoldSize, ManifoldRange, ZMapImages];

    public FigureOptions Read(ParseResult parse)
    {
        int size = parse.GetValue(ManifoldSize);
        float range = parse.GetValue(ManifoldRange);
        int images = parse.GetValue(ZMapImages);
        if (size is < 2 or > 100)
        {
            throw new UsageException($"--manifold-size must be between 2 and 100, got {size}");
        }

        if (!(float.IsFinite(range) && range > 0))
        {
            throw new UsageException($"--manifold-range must be a positive number, got {range}");
        }

        if (images <= 0)
        {
            throw new UsageException($"--zmap-images must be at least 1, got {images}");
        }

        return new FigureOptions(size, range, images);
    }
}

using System.CommandLine;
using System.Globalization;

namespace GpuVae.App.Options;

/// <summary>--dims: a comma-separated list of latent dimensions, parsed the same strict way by every command that has it.</summary>
public sealed class DimsOption(string description, string defaultDims)
{
    /// <summary>The largest latent dimension a run accepts, as --dim does.</summary>
    public const int MaximumDim = 4096;

    public Option<string> Dims { get; } = new("--dims") { Description = description, DefaultValueFactory = _ => defaultDims };

    /// <summary>The dims in the order given, each once.</summary>
    public IReadOnlyList<int> Read(ParseResult parse)
    {
        string text = parse.GetValue(Dims)!;
        var dims = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int dim) || dim is < 1 or > MaximumDim)
            {
                throw new UsageException($"--dims must list latent dimensions between 1 and {MaximumDim} separated by commas, got '{text}'");
            }

            if (!dims.Contains(dim))
            {
                dims.Add(dim);
            }
        }

        return dims;
    }
}

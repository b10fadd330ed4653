using System.Globalization;
using GpuVae.Kernels;

namespace GpuVae.Model.Network;

/// <summary>
/// A half's hidden layers as text, W:act,W:act (500:elu,500:tanh): what --encoder and
/// --decoder take and what a checkpoint records, one syntax read and written here.
/// </summary>
public static class HiddenSpecs
{
    /// <summary>The widest layer the parser accepts, as --hidden always did.</summary>
    public const int MaximumUnits = 65_536;

    /// <summary>The TensorFlow original's encoder at width H: H (ELU) -> H (tanh).</summary>
    public static IReadOnlyList<HiddenSpec> DefaultEncoder(int hidden) => [new(hidden, Activation.Elu), new(hidden, Activation.Tanh)];

    /// <summary>The TensorFlow original's decoder at width H: H (tanh) -> H (ELU).</summary>
    public static IReadOnlyList<HiddenSpec> DefaultDecoder(int hidden) => [new(hidden, Activation.Tanh), new(hidden, Activation.Elu)];

    public static string Format(IReadOnlyList<HiddenSpec> layers) => string.Join(",", layers);

    /// <summary>The layers of text; on failure null and the one bad token with why.</summary>
    public static IReadOnlyList<HiddenSpec>? TryParse(string text, out string error)
    {
        var layers = new List<HiddenSpec>();
        foreach (string token in text.Split(','))
        {
            string[] parts = token.Split(':');
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int units)
                || units is <= 0 or > MaximumUnits)
            {
                error = $"'{token}' is not W:activation with W between 1 and {MaximumUnits}";
                return null;
            }

            if (!ActivationNames.TryParse(parts[1], out var activation))
            {
                error = $"'{token}' has activation '{parts[1]}', expected one of {string.Join(", ", ActivationNames.All)}";
                return null;
            }

            layers.Add(new HiddenSpec(units, activation));
        }

        error = string.Empty;
        return layers;
    }
}

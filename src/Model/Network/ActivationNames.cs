using GpuVae.Kernels;

namespace GpuVae.Model.Network;

/// <summary>
/// The command line's and the checkpoint's names of the activations: every value of
/// <see cref="Activation"/>, lower-cased. Derived from the enum, so an activation added there is
/// a layer's choice here with no change.
/// </summary>
public static class ActivationNames
{
    private static readonly Dictionary<string, Activation> ByName =
        Enum.GetValues<Activation>().ToDictionary(Name, activation => activation, StringComparer.Ordinal);

    /// <summary>Every name, in the enum's order: what a usage error lists.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<Activation>().Select(Name)];

    public static string Name(Activation activation) => activation.ToString().ToLowerInvariant();

    public static bool TryParse(string name, out Activation activation) => ByName.TryGetValue(name, out activation);
}

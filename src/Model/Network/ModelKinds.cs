namespace GpuVae.Model.Network;

/// <summary>
/// What each <see cref="ModelKind"/> is called and what it changes: the one table of model
/// names (command line and checkpoint), and the one switch of what a kind does to the network.
/// </summary>
public static class ModelKinds
{
    private static readonly Dictionary<string, ModelKind> ByName =
        Enum.GetValues<ModelKind>().ToDictionary(Name, kind => kind, StringComparer.Ordinal);

    /// <summary>Every name, in the enum's order: vae, cvae.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<ModelKind>().Select(Name)];

    public static string Name(ModelKind kind) => kind.ToString().ToLowerInvariant();

    public static bool TryParse(string name, out ModelKind kind) => ByName.TryGetValue(name, out kind);

    /// <summary>
    /// Whether each half's first hidden layer reads the label beside its input: the
    /// conditional VAE's q(z | x, y) and p(x | z, y). Everything else a kind changes (the labels
    /// the step gathers, the pictures per class) follows from the layers that read it.
    /// </summary>
    public static bool FirstLayersReadLabel(ModelKind kind) => kind switch
    {
        ModelKind.Vae => false,
        ModelKind.Cvae => true,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "a model kind with no network"),
    };
}

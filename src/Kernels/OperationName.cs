namespace GpuVae.Kernels;

/// <summary>
/// Every operation's name, stated once: what <see cref="Backend"/> charges in a profile, what a
/// kernel case and a kernel choice name, what <c>bench</c> prints and what the tests look up.
/// A profile entry is the name alone or, for the activations and GEMMs, the name, a space and
/// the activation or shape (<see cref="Of(string, Activation)"/>).
/// </summary>
public static class OperationName
{
    public const string Upload = "upload";
    public const string Download = "download";
    public const string UploadStepValues = "upload_step_values";
    public const string CopyToReadback = "copy_to_readback";
    public const string Fill = "fill";
    public const string Copy = "copy";
    public const string GatherRows = "gather_rows";
    public const string Gemm = "gemm";
    public const string BiasAdd = "bias_add";
    public const string SumColumns = "sum_columns";
    public const string BiasActivationForward = "bias_activation_forward";
    public const string BiasActivationDropoutForward = "bias_activation_dropout_forward";
    public const string ActivationBackward = "activation_backward";
    public const string DropoutActivationBackward = "dropout_activation_backward";
    public const string GaussianHead = "gaussian_head";
    public const string GaussianHeadBackward = "gaussian_head_backward";
    public const string Reparameterize = "reparameterize";
    public const string ReparameterizeBackward = "reparameterize_backward";
    public const string SaltAndPepper = "salt_and_pepper";
    public const string Binarize = "binarize";
    public const string BceForward = "bce_forward";
    public const string BceBackward = "bce_backward";
    public const string KlForward = "kl_forward";
    public const string KlBackward = "kl_backward";
    public const string LogPriorOverPosterior = "log_prior_over_posterior";
    public const string LogPriorOverPosteriorBackward = "log_prior_over_posterior_backward";
    public const string ImportanceWeights = "importance_weights";
    public const string ScaleRows = "scale_rows";
    public const string Adam = "adam";

    /// <summary>The transfers, which every case does around its operation and no case checks on its own.</summary>
    public static IReadOnlyList<string> Transfers { get; } = [Upload, Download, UploadStepValues];

    /// <summary>"bias_activation_forward elu": an activation's operation as a profile names it.</summary>
    public static string Of(string operation, Activation activation) => $"{operation} {activation.ToString().ToLowerInvariant()}";

    /// <summary>The operation a profile entry belongs to: its first word.</summary>
    public static string OperationOf(string profileEntry)
    {
        ArgumentNullException.ThrowIfNull(profileEntry);
        return profileEntry.Split(' ')[0];
    }
}

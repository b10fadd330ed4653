namespace GpuVae.Model.Persistence;

/// <summary>
/// A setting a run's checkpoint records that continuing the run must keep: training on under
/// another would silently make a run that is neither. <see cref="RunRecord.Differences"/> lists
/// them; each caller names them its own way (the command line's --options, the API's properties).
/// </summary>
public enum RunSetting
{
    /// <summary>The plain VAE or the conditional one.</summary>
    Kind,

    /// <summary>Z and the encoder's and decoder's hidden layers.</summary>
    Layers,

    /// <summary>The image shape (D, rows, cols) and the classes C of the labels.</summary>
    Images,

    /// <summary>Grey pixels or dynamically binarized ones.</summary>
    Binarization,

    /// <summary>The seed of initialization, shuffles and random streams.</summary>
    Seed,

    /// <summary>Images per step, which fixes the steps of an epoch.</summary>
    BatchSize,

    /// <summary>The loss trained: the ELBO with its beta, or the importance-weighted bound with its k.</summary>
    Objective,

    /// <summary>Adam's learning-rate schedule.</summary>
    LearningRates,

    /// <summary>The training images held out for validation.</summary>
    Validation,
}

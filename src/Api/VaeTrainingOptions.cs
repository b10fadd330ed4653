namespace GpuVae;

/// <summary>
/// How <see cref="VaeTrainer.Train"/> trains: the command line's training options, with the
/// same defaults (the TensorFlow original's). <see cref="VaeTrainer.Train"/> checks them and
/// names the property of any it refuses.
/// </summary>
public sealed record VaeTrainingOptions
{
    /// <summary>Z, the latent dimension, 1 to 4096 (--dim).</summary>
    public int Latent { get; init; } = 20;

    /// <summary>H, the hidden units of each of the original's layers, 1 to 65536 (--hidden); unused when <see cref="Encoder"/> and <see cref="Decoder"/> are given.</summary>
    public int Hidden { get; init; } = 500;

    /// <summary>The encoder's hidden layers as width:activation, e.g. "200:tanh,200:tanh" (--encoder); null for the original's at <see cref="Hidden"/>.</summary>
    public string? Encoder { get; init; }

    /// <summary>The decoder's hidden layers as width:activation (--decoder); null for the original's at <see cref="Hidden"/>.</summary>
    public string? Decoder { get; init; }

    /// <summary>The epochs to train, counting those a resumed run already has (--epochs).</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Images per training step (--batch-size).</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Adam's learning rate for every epoch, in (0, 1] (--lr); unused when <see cref="LearningRateSchedule"/> is given.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Adam's rate per epoch (--lr-schedule): "burda", or stages "epochs:rate,..."; null for <see cref="LearningRate"/> throughout.</summary>
    public string? LearningRateSchedule { get; init; }

    /// <summary>Dropout's keep probability during training, in (0, 1] (--keep-prob).</summary>
    public float KeepProbability { get; init; } = 0.9f;

    /// <summary>Seed of the initialization, the shuffles, dropout and the noise (--seed).</summary>
    public int Seed { get; init; }

    /// <summary>Train the conditional VAE, which reads each image's label (--model cvae); the data then needs labels.</summary>
    public bool Conditional { get; init; }

    /// <summary>Draw each training image as Bernoulli(pixel) every time it is used, and evaluate on a test set binarized once (--binarize dynamic).</summary>
    public bool DynamicBinarization { get; init; }

    /// <summary>The denoising variant's salt-and-pepper fraction of input pixels, in [0, 1]; 0 trains on clean inputs (--add-noise --noise-fraction).</summary>
    public float InputNoise { get; init; }

    /// <summary>The KL term's weight in the ELBO, at least 0; 1 is the plain ELBO (--beta).</summary>
    public float Beta { get; init; } = 1;

    /// <summary>Null trains the ELBO; k, 1 to 10000, trains the importance-weighted bound over k samples of z (--objective iwae --k).</summary>
    public int? ImportanceSamples { get; init; }

    /// <summary>Train on the first N training images only; null for all (--train-limit).</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Hold out the last N of the training images (after <see cref="TrainLimit"/>) and report their loss each epoch (--validation).</summary>
    public int Validation { get; init; }

    /// <summary>Continue the run in the folder, which must have been trained with the same options (--resume).</summary>
    public bool Resume { get; init; }

    /// <summary>
    /// Start afresh and replace the model the folder holds (--overwrite). With neither this nor
    /// <see cref="Resume"/>, training into a folder that holds a model is refused and nothing is written.
    /// </summary>
    public bool Overwrite { get; init; }

    /// <summary>Where to train (--accelerator).</summary>
    public AcceleratorChoice Accelerator { get; init; } = AcceleratorChoice.Auto;

    /// <summary>Index among the devices of the accelerator's kind (--device).</summary>
    public int Device { get; init; }

    /// <summary>On CUDA, replay each step as a captured CUDA graph; false runs it op by op (--no-graph). The trained bits are the same.</summary>
    public bool CaptureGraph { get; init; } = true;
}

namespace GpuVae.Model.Network;

/// <summary>
/// Which model: the TensorFlow original's VAE, or the conditional VAE of
/// hwalsuklee/tensorflow-mnist-CVAE, whose encoder reads [x, one-hot label] and whose decoder
/// reads [z, one-hot label].
/// </summary>
public enum ModelKind
{
    Vae,
    Cvae,
}

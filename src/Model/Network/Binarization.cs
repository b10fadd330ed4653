using GpuVae.Model.Evaluation;

namespace GpuVae.Model.Network;

/// <summary>
/// How pixels meet the Bernoulli likelihood: kept grey (the TensorFlow original), or drawn as
/// Bernoulli(pixel) every time a training image is used (dynamically binarized MNIST), with
/// the test set drawn once from <see cref="BinarizedTestSet.Seed"/>.
/// </summary>
public enum Binarization
{
    None,
    Dynamic,
}

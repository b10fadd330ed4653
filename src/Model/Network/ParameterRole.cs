using GpuVae.Kernels.Operations;

namespace GpuVae.Model.Network;

/// <summary>
/// What a parameter is to the layer that owns it, which decides its initialization: a weight
/// draws from the variance-scaling normal, a bias starts at zero. Taken from the layer, never
/// guessed from the shape: with Z = 1 or H = 1 a weight has one row, as a bias does.
/// </summary>
public enum ParameterRole
{
    Weight,
    Bias,
}

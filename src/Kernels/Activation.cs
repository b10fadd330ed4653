namespace GpuVae.Kernels;

/// <summary>The elementwise nonlinearities of the TensorFlow original's network.</summary>
public enum Activation
{
    Elu = 0,
    Tanh = 1,
    Sigmoid = 2,
    Softplus = 3,
}

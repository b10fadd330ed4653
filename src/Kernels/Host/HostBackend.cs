namespace GpuVae.Kernels.Host;

/// <summary>
/// Plain .NET on the CPU, no ILGPU: the way to train without a GPU. The hot operations
/// (GEMM, the fused bias-activation-dropout epilogues, bias, BCE, Adam) are SIMD and multi-core (<see cref="HostGemm"/>,
/// <see cref="HostElementwise"/>, <see cref="HostPhilox"/>); the rest are their families' references, which are also
/// the oracle every kernel is tested against.
/// </summary>
public sealed class HostBackend : IBackend
{
    public string Kind => "host";

    public string DeviceName => $"{Environment.ProcessorCount}-core host CPU ({System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture})";

    public Tensor Allocate(int rows, int cols) => new HostTensor(rows, cols);

    /// <summary>Separate arrays: host kernels index from 0, and a host launch costs nothing to save.</summary>
    public TensorBlock AllocateBlock(IReadOnlyList<(int Rows, int Cols)> shapes)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        return new TensorBlock([.. shapes.Select(shape => Allocate(shape.Rows, shape.Cols))], whole: null);
    }

    public void Upload(Tensor destination, ReadOnlySpan<float> source)
    {
        RequireLength(source.Length, destination.Length, nameof(source));
        source.CopyTo(Data(destination));
    }

    public void Download(Tensor source, Span<float> destination)
    {
        RequireLength(destination.Length, source.Length, nameof(destination));
        Data(source).CopyTo(destination);
    }

    public void Synchronize()
    {
    }

    public void Fill(Tensor y, float value) => Memory.FillReference(Data(y), value, y.Length);

    public void Copy(Tensor y, Tensor x)
    {
        RequireSameShape(y, x);
        Memory.CopyReference(Data(y), Data(x), y.Length);
    }

    public void GatherRows(Tensor y, Tensor x, ReadOnlySpan<int> rows)
    {
        RequireShape(y, rows.Length, x.Cols, nameof(y));
        foreach (int row in rows)
        {
            if ((uint)row >= (uint)x.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"row {row} is outside x {x}");
            }
        }

        Memory.GatherRowsReference(Data(y), Data(x), rows, x.Cols);
    }

    public void Gemm(Tensor c, Tensor a, bool transposeA, Tensor b, bool transposeB, float alpha, float beta)
    {
        var (m, n, k) = GemmShape.Of(c, a, transposeA, b, transposeB);
        HostGemm.Multiply(Data(c), Data(a), transposeA, Data(b), transposeB, alpha, beta, m, n, k);
    }

    public void AddBias(Tensor y, Tensor bias)
    {
        RequireShape(bias, 1, y.Cols, nameof(bias));
        HostElementwise.AddBias(Data(y), Data(bias), y.Rows, y.Cols);
    }

    public void SumColumns(Tensor sums, Tensor x, float alpha)
    {
        RequireShape(sums, 1, x.Cols, nameof(sums));
        HostElementwise.SumColumns(Data(sums), Data(x), alpha, x.Rows, x.Cols);
    }

    public void BiasActivationForward(Activation activation, Tensor y, Tensor x, Tensor bias)
    {
        RequireSameShape(y, x);
        RequireShape(bias, 1, x.Cols, nameof(bias));
        HostElementwise.BiasActivation(activation, Data(y), Data(x), Data(bias), x.Rows, x.Cols);
    }

    public void BiasActivationDropoutForward(
        Activation activation, Tensor dropped, Tensor y, Tensor x, Tensor bias, float keepProbability, ulong seed, ulong stream) =>
        BiasActivationDropoutForward(HostPhilox.BestIsa, activation, dropped, y, x, bias, keepProbability, seed, stream);

    /// <summary>The same epilogue with a chosen Philox generator, so benchmarks can show what each width buys.</summary>
    public void BiasActivationDropoutForward(
        HostPhiloxIsa isa, Activation activation, Tensor dropped, Tensor y, Tensor x, Tensor bias, float keepProbability, ulong seed, ulong stream)
    {
        RequireSameShape(dropped, x);
        RequireSameShape(y, x);
        RequireShape(bias, 1, x.Cols, nameof(bias));
        HostElementwise.BiasActivationDropout(isa, activation, Data(dropped), Data(y), Data(x), Data(bias), keepProbability, seed, stream, x.Rows, x.Cols);
    }

    public void ActivationBackward(Activation activation, Tensor dx, Tensor dy, Tensor x, Tensor y)
    {
        RequireSameShape(dx, dy);
        RequireSameShape(dx, x);
        RequireSameShape(dx, y);
        HostElementwise.ActivationBackward(activation, Data(dx), Data(dy), Data(x), Data(y), dx.Length);
    }

    public void DropoutActivationBackward(
        Activation activation, Tensor dx, Tensor dy, Tensor x, Tensor y, float keepProbability, ulong seed, ulong stream)
    {
        RequireSameShape(dx, dy);
        RequireSameShape(dx, x);
        RequireSameShape(dx, y);
        HostElementwise.DropoutActivationBackward(activation, Data(dx), Data(dy), Data(x), Data(y), keepProbability, seed, stream, dx.Length);
    }

    public void GaussianHead(Tensor mu, Tensor sigma, Tensor h)
    {
        RequireShape(h, mu.Rows, 2 * mu.Cols, nameof(h));
        RequireSameShape(mu, sigma);
        Sampling.GaussianHeadReference(Data(mu), Data(sigma), Data(h), mu.Rows, mu.Cols);
    }

    public void GaussianHeadBackward(Tensor dh, Tensor dMu, Tensor dSigma, Tensor h)
    {
        RequireShape(dh, dMu.Rows, 2 * dMu.Cols, nameof(dh));
        RequireSameShape(dh, h);
        RequireSameShape(dMu, dSigma);
        Sampling.GaussianHeadBackwardReference(Data(dh), Data(dMu), Data(dSigma), Data(h), dMu.Rows, dMu.Cols);
    }

    public void Reparameterize(Tensor z, Tensor eps, Tensor mu, Tensor sigma, ulong seed, ulong stream)
    {
        RequireSameShape(z, eps);
        RequireSameShape(z, mu);
        RequireSameShape(z, sigma);
        Sampling.ReparameterizeReference(Data(z), Data(eps), Data(mu), Data(sigma), seed, stream, z.Length);
    }

    public void ReparameterizeBackward(Tensor dMu, Tensor dSigma, Tensor dz, Tensor eps)
    {
        RequireSameShape(dMu, dSigma);
        RequireSameShape(dMu, dz);
        RequireSameShape(dMu, eps);
        Sampling.ReparameterizeBackwardReference(Data(dMu), Data(dSigma), Data(dz), Data(eps), dMu.Length);
    }

    public void SaltAndPepper(Tensor y, Tensor x, float fraction, ulong seed, ulong stream)
    {
        RequireSameShape(y, x);
        Sampling.SaltAndPepperReference(Data(y), Data(x), fraction, seed, stream, y.Length);
    }

    public void BinaryCrossEntropy(Tensor loss, Tensor p, Tensor target)
    {
        RequireSameShape(p, target);
        RequireShape(loss, p.Rows, 1, nameof(loss));
        HostElementwise.BinaryCrossEntropy(Data(loss), Data(p), Data(target), p.Rows, p.Cols);
    }

    public void BinaryCrossEntropyBackward(Tensor dLogits, Tensor p, Tensor target, float scale)
    {
        RequireSameShape(dLogits, p);
        RequireSameShape(dLogits, target);
        Losses.BinaryCrossEntropyBackwardReference(Data(dLogits), Data(p), Data(target), scale, dLogits.Length);
    }

    public void KlDivergence(Tensor kl, Tensor mu, Tensor sigma)
    {
        RequireSameShape(mu, sigma);
        RequireShape(kl, mu.Rows, 1, nameof(kl));
        Losses.KlDivergenceReference(Data(kl), Data(mu), Data(sigma), mu.Rows, mu.Cols);
    }

    public void KlDivergenceBackward(Tensor dMu, Tensor dSigma, Tensor mu, Tensor sigma, float scale)
    {
        RequireSameShape(dMu, dSigma);
        RequireSameShape(dMu, mu);
        RequireSameShape(dMu, sigma);
        Losses.KlDivergenceBackwardReference(Data(dMu), Data(dSigma), Data(mu), Data(sigma), scale, dMu.Length);
    }

    public void LogPriorOverPosterior(Tensor logWeight, Tensor z, Tensor eps, Tensor sigma)
    {
        RequireSameShape(z, eps);
        RequireSameShape(z, sigma);
        RequireShape(logWeight, z.Rows, 1, nameof(logWeight));
        Losses.LogPriorOverPosteriorReference(Data(logWeight), Data(z), Data(eps), Data(sigma), z.Rows, z.Cols);
    }

    public void AdamUpdate(TensorBlock parameters, TensorBlock m, TensorBlock v, TensorBlock gradients, AdamStep step)
    {
        ShapeCheck.SameLayout(parameters, m, nameof(m));
        ShapeCheck.SameLayout(parameters, v, nameof(v));
        ShapeCheck.SameLayout(parameters, gradients, nameof(gradients));
        for (int i = 0; i < parameters.Parts.Count; i++)
        {
            HostElementwise.AdamUpdate(
                Data(parameters.Parts[i]), Data(m.Parts[i]), Data(v.Parts[i]), Data(gradients.Parts[i]), step, parameters.Parts[i].Length);
        }
    }

    public void Dispose()
    {
    }

    private static float[] Data(Tensor tensor) =>
        tensor is HostTensor host ? host.Data : throw new ArgumentException($"a {tensor.GetType().Name} {tensor} was passed to the host backend");

    private static void RequireLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{name} has {actual} elements, the tensor {expected}", name);
        }
    }

    private static void RequireSameShape(Tensor a, Tensor b) => ShapeCheck.Same(a, b);

    private static void RequireShape(Tensor tensor, int rows, int cols, string name) => ShapeCheck.Is(tensor, rows, cols, name);
}

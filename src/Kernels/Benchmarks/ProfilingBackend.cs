using System.Diagnostics;

namespace GpuVae.Kernels.Benchmarks;

/// <summary>
/// Wraps a backend and charges each operation the wall time from its call until the device
/// has finished it (a synchronize after every call), summed per operation name. That
/// serializes host and device, so the totals exceed an unprofiled step by the overlap lost and
/// one synchronize per call: they show where a step's time goes, not how long it takes.
/// </summary>
public sealed class ProfilingBackend(IBackend inner) : IBackend
{
    private readonly Dictionary<string, (int Calls, double Milliseconds)> totals = [];

    public string Kind => inner.Kind;

    public string DeviceName => inner.DeviceName;

    /// <summary>Calls and milliseconds per operation name since the last <see cref="Reset"/>.</summary>
    public IReadOnlyDictionary<string, (int Calls, double Milliseconds)> Totals => totals;

    public void Reset() => totals.Clear();

    public Tensor Allocate(int rows, int cols) => inner.Allocate(rows, cols);

    public TensorBlock AllocateBlock(IReadOnlyList<(int Rows, int Cols)> shapes) => inner.AllocateBlock(shapes);

    public void Upload(Tensor destination, ReadOnlySpan<float> source)
    {
        long start = Begin();
        inner.Upload(destination, source);
        End("upload", start);
    }

    public void Download(Tensor source, Span<float> destination)
    {
        long start = Begin();
        inner.Download(source, destination);
        End("download", start);
    }

    public void Synchronize() => inner.Synchronize();

    public void Fill(Tensor y, float value)
    {
        long start = Begin();
        inner.Fill(y, value);
        End("fill", start);
    }

    public void Copy(Tensor y, Tensor x)
    {
        long start = Begin();
        inner.Copy(y, x);
        End("copy", start);
    }

    public void GatherRows(Tensor y, Tensor x, ReadOnlySpan<int> rows)
    {
        long start = Begin();
        inner.GatherRows(y, x, rows);
        End("gather_rows", start);
    }

    public void Gemm(Tensor c, Tensor a, bool transposeA, Tensor b, bool transposeB, float alpha, float beta)
    {
        long start = Begin();
        inner.Gemm(c, a, transposeA, b, transposeB, alpha, beta);
        End($"gemm_{(transposeA ? 't' : 'n')}{(transposeB ? 't' : 'n')} {c.Rows}x{c.Cols}x{(transposeA ? a.Rows : a.Cols)}", start);
    }

    public void AddBias(Tensor y, Tensor bias)
    {
        long start = Begin();
        inner.AddBias(y, bias);
        End("bias_add", start);
    }

    public void SumColumns(Tensor sums, Tensor x, float alpha)
    {
        long start = Begin();
        inner.SumColumns(sums, x, alpha);
        End("sum_columns", start);
    }

    public void BiasActivationForward(Activation activation, Tensor y, Tensor x, Tensor bias)
    {
        long start = Begin();
        inner.BiasActivationForward(activation, y, x, bias);
        End($"bias_{Name(activation)}_forward", start);
    }

    public void BiasActivationDropoutForward(
        Activation activation, Tensor dropped, Tensor y, Tensor x, Tensor bias, float keepProbability, ulong seed, ulong stream)
    {
        long start = Begin();
        inner.BiasActivationDropoutForward(activation, dropped, y, x, bias, keepProbability, seed, stream);
        End($"bias_{Name(activation)}_dropout_forward", start);
    }

    public void ActivationBackward(Activation activation, Tensor dx, Tensor dy, Tensor x, Tensor y)
    {
        long start = Begin();
        inner.ActivationBackward(activation, dx, dy, x, y);
        End($"{Name(activation)}_backward", start);
    }

    public void DropoutActivationBackward(
        Activation activation, Tensor dx, Tensor dy, Tensor x, Tensor y, float keepProbability, ulong seed, ulong stream)
    {
        long start = Begin();
        inner.DropoutActivationBackward(activation, dx, dy, x, y, keepProbability, seed, stream);
        End($"dropout_{Name(activation)}_backward", start);
    }

    public void GaussianHead(Tensor mu, Tensor sigma, Tensor h)
    {
        long start = Begin();
        inner.GaussianHead(mu, sigma, h);
        End("gaussian_head", start);
    }

    public void GaussianHeadBackward(Tensor dh, Tensor dMu, Tensor dSigma, Tensor h)
    {
        long start = Begin();
        inner.GaussianHeadBackward(dh, dMu, dSigma, h);
        End("gaussian_head_backward", start);
    }

    public void Reparameterize(Tensor z, Tensor eps, Tensor mu, Tensor sigma, ulong seed, ulong stream)
    {
        long start = Begin();
        inner.Reparameterize(z, eps, mu, sigma, seed, stream);
        End("reparameterize", start);
    }

    public void ReparameterizeBackward(Tensor dMu, Tensor dSigma, Tensor dz, Tensor eps)
    {
        long start = Begin();
        inner.ReparameterizeBackward(dMu, dSigma, dz, eps);
        End("reparameterize_backward", start);
    }

    public void SaltAndPepper(Tensor y, Tensor x, float fraction, ulong seed, ulong stream)
    {
        long start = Begin();
        inner.SaltAndPepper(y, x, fraction, seed, stream);
        End("salt_and_pepper", start);
    }

    public void BinaryCrossEntropy(Tensor loss, Tensor p, Tensor target)
    {
        long start = Begin();
        inner.BinaryCrossEntropy(loss, p, target);
        End("bce_forward", start);
    }

    public void BinaryCrossEntropyBackward(Tensor dLogits, Tensor p, Tensor target, float scale)
    {
        long start = Begin();
        inner.BinaryCrossEntropyBackward(dLogits, p, target, scale);
        End("bce_backward", start);
    }

    public void KlDivergence(Tensor kl, Tensor mu, Tensor sigma)
    {
        long start = Begin();
        inner.KlDivergence(kl, mu, sigma);
        End("kl_forward", start);
    }

    public void KlDivergenceBackward(Tensor dMu, Tensor dSigma, Tensor mu, Tensor sigma, float scale)
    {
        long start = Begin();
        inner.KlDivergenceBackward(dMu, dSigma, mu, sigma, scale);
        End("kl_backward", start);
    }

    public void LogPriorOverPosterior(Tensor logWeight, Tensor z, Tensor eps, Tensor sigma)
    {
        long start = Begin();
        inner.LogPriorOverPosterior(logWeight, z, eps, sigma);
        End("log_prior_over_posterior", start);
    }

    public void AdamUpdate(TensorBlock parameters, TensorBlock m, TensorBlock v, TensorBlock gradients, AdamStep step)
    {
        long start = Begin();
        inner.AdamUpdate(parameters, m, v, gradients, step);
        End("adam", start);
    }

    /// <summary>The wrapped backend is the caller's: disposing the wrapper leaves it open.</summary>
    public void Dispose()
    {
    }

    private static string Name(Activation activation) => activation.ToString().ToLowerInvariant();

    // Work queued before this call must not be charged to it.
    private long Begin()
    {
        inner.Synchronize();
        return Stopwatch.GetTimestamp();
    }

    private void End(string operation, long start)
    {
        inner.Synchronize();
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        var (calls, milliseconds) = totals.GetValueOrDefault(operation);
        totals[operation] = (calls + 1, milliseconds + ms);
    }
}

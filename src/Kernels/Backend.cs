using System.Diagnostics;
using GpuVae.Kernels.Benchmarks;
using GpuVae.Kernels.Operations;

namespace GpuVae.Kernels;

/// <summary>
/// Every operation the VAE needs, on tensors that live on one device, declared once. Each
/// public method checks its arguments here, names itself for the profile, and hands over to
/// the backend's <c>...Core</c> member: <see cref="Host.HostBackend"/> runs it in plain .NET,
/// <see cref="Ilgpu.IlgpuBackend"/> with our ILGPU kernels on CUDA, OpenCL or ILGPU's CPU
/// accelerator. Arguments follow the kernels' order: outputs first, then inputs, then
/// scalars. Shapes use B batch, D pixels, H hidden units, Z latent dimension.
/// </summary>
public abstract class Backend : IDisposable
{
    /// <summary>host, cpu, cuda or opencl: the accelerator kind this backend runs on.</summary>
    public abstract string Kind { get; }

    /// <summary>The device's own name, for logs and reports.</summary>
    public abstract string DeviceName { get; }

    /// <summary>
    /// The float32 peak in GFLOP/s that a GEMM's speed is quoted against: a napkin number from
    /// the device's width and clock (a CUDA or OpenCL GPU's multiprocessors and lanes, a CPU's
    /// cores and SIMD width).
    /// </summary>
    public abstract double PeakGflops { get; }

    /// <summary>How <see cref="PeakGflops"/> was reckoned, printed beside it.</summary>
    public abstract string PeakGflopsFormula { get; }

    /// <summary>
    /// Whether this backend runs the operation with its family's plain .NET reference, so that
    /// checking it against the reference would test nothing: checks and tests leave it out.
    /// </summary>
    public virtual bool RunsReference(string operation) => false;

    /// <summary>
    /// The operations this backend has more than one kernel for (GEMM tilings, reduction
    /// shapes, SIMD widths), each with its selected kernel: what checks and benchmarks walk.
    /// </summary>
    public virtual IReadOnlyList<IKernelChoice> Choices => [];

    /// <summary>
    /// While set, every operation synchronizes before and after itself and charges its wall
    /// time to this profile under its name (the first word: the operation as checks and
    /// choices name it; then its activation or GEMM shape): where a step's time goes. Null
    /// (the default) costs one test a call.
    /// </summary>
    public OperationProfile? Profile { get; set; }

    /// <summary>A zero-filled (rows, cols) tensor.</summary>
    public Tensor Allocate(int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        return AllocateCore(rows, cols);
    }

    /// <summary>Zero-filled tensors of these shapes, in one allocation where the backend can make one.</summary>
    public TensorBlock AllocateBlock(IReadOnlyList<(int Rows, int Cols)> shapes)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        ArgumentOutOfRangeException.ThrowIfZero(shapes.Count);
        long length = shapes.Sum(shape => (long)shape.Rows * shape.Cols);
        if (length > int.MaxValue)
        {
            throw new ArgumentException($"a block of {length:N0} floats is more than one tensor can hold", nameof(shapes));
        }

        return AllocateBlockCore(shapes);
    }

    /// <summary>A block of a step's values (<see cref="StepValues"/>) for up to this many batch rows.</summary>
    public StepValues AllocateStepValues(int rowCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowCapacity);
        return AllocateStepValuesCore(rowCapacity);
    }

    /// <summary>Host memory for <see cref="CopyToReadback"/>, page-locked where the device needs it.</summary>
    public Readback AllocateReadback(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        return AllocateReadbackCore(length);
    }

    /// <summary>Copies the values staged on the host to the device, in order with the queued work.</summary>
    public void UploadStepValues(StepValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        using (Time(OperationName.UploadStepValues))
        {
            UploadStepValuesCore(values);
        }
    }

    /// <summary>Queues a copy of source into host memory, readable after <see cref="Synchronize"/>.</summary>
    public void CopyToReadback(Readback destination, Tensor source)
    {
        ArgumentNullException.ThrowIfNull(destination);
        RequireLength(destination.Length, source, nameof(destination));
        using (Time(OperationName.CopyToReadback, source, source))
        {
            CopyToReadbackCore(destination, source);
        }
    }

    /// <summary>
    /// Records the work <paramref name="enqueue"/> queues, without running it, as one replayable
    /// launch (a CUDA graph); false with the reason where this backend cannot. The work must
    /// only queue operations: nothing that waits for the device, and nothing that reads the
    /// host's memory when it runs other than <see cref="StepValues"/> uploads.
    /// </summary>
    public bool TryCapture(Action enqueue, out CapturedWork? work, out string reason)
    {
        ArgumentNullException.ThrowIfNull(enqueue);
        if (Profile is not null)
        {
            work = null;
            reason = "a profiled step times each operation on its own";
            return false;
        }

        return TryCaptureCore(enqueue, out work, out reason);
    }

    public void Upload(Tensor destination, ReadOnlySpan<float> source)
    {
        RequireLength(source.Length, destination, nameof(source));
        using (Time(OperationName.Upload, destination))
        {
            UploadCore(destination, source);
        }
    }

    /// <summary>
    /// A (rows, cols) tensor of values that no operation will write, such as a training set:
    /// the host keeps the array itself instead of a copy (MNIST's training set is 188 MB), so
    /// the caller must not change the array while the tensor lives; a device gets a copy.
    /// </summary>
    public Tensor UploadShared(float[] values, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        if (values.Length != (long)rows * cols)
        {
            throw new ArgumentException($"values has {values.Length} elements, a ({rows}, {cols}) tensor {(long)rows * cols}", nameof(values));
        }

        using (Time(OperationName.Upload, (long)rows * cols * sizeof(float)))
        {
            return UploadSharedCore(values, rows, cols);
        }
    }

    public void Download(Tensor source, Span<float> destination)
    {
        RequireLength(destination.Length, source, nameof(destination));
        using (Time(OperationName.Download, source))
        {
            DownloadCore(source, destination);
        }
    }

    /// <summary>Waits for all queued work; timings are only meaningful after it.</summary>
    public abstract void Synchronize();

    public void Fill(Tensor y, float value)
    {
        using (Time(OperationName.Fill, y))
        {
            FillCore(y, value);
        }
    }

    public void Copy(Tensor y, Tensor x)
    {
        ShapeCheck.Same(y, x);
        using (Time(OperationName.Copy, y, x))
        {
            CopyCore(y, x);
        }
    }

    /// <summary>y (R, C) = x[rows, :] for x (N, C) and the R rows staged in the step's values: assembles a shuffled batch.</summary>
    public void GatherRows(Tensor y, Tensor x, StepValues rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ShapeCheck.Is(y, rows.RowCount, x.Cols, nameof(y));
        foreach (int row in rows.Rows)
        {
            if ((uint)row >= (uint)x.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"row {row} is outside x {x}");
            }
        }

        using (Time(OperationName.GatherRows, y, y))
        {
            GatherRowsCore(y, x, rows);
        }
    }

    /// <summary>c = alpha * op(a) * op(b) + beta * c, op transposes when asked.</summary>
    public void Gemm(Tensor c, Tensor a, bool transposeA, Tensor b, bool transposeB, float alpha, float beta)
    {
        var (m, n, k) = GemmShape.Of(c, a, transposeA, b, transposeB);
        using (Profile is null ? default : Time(GemmShape.Name(m, n, k, transposeA, transposeB), c, a, b))
        {
            GemmCore(c, a, transposeA, b, transposeB, alpha, beta, m, n, k);
        }
    }

    /// <summary>y (B, N) += bias (1, N) on every row: the encoder's output layer, which has no activation.</summary>
    public void AddBias(Tensor y, Tensor bias)
    {
        ShapeCheck.Is(bias, 1, y.Cols, nameof(bias));
        using (Time(OperationName.BiasAdd, y, y, bias))
        {
            AddBiasCore(y, bias);
        }
    }

    /// <summary>sums (1, N) = alpha * column sums of x (B, N): bias gradients and batch means.</summary>
    public void SumColumns(Tensor sums, Tensor x, float alpha)
    {
        ShapeCheck.Is(sums, 1, x.Cols, nameof(sums));
        using (Time(OperationName.SumColumns, sums, x))
        {
            SumColumnsCore(sums, x, alpha);
        }
    }

    /// <summary>
    /// x (B, N) += bias (1, N), then y = f(x), in one pass: a dense layer's epilogue (the
    /// decoder's sigmoid output, a hidden layer without dropout). x keeps the pre-activation
    /// that backward needs, so y must not alias it.
    /// </summary>
    public void BiasActivationForward(Activation activation, Tensor y, Tensor x, Tensor bias)
    {
        RequireDefined(activation);
        ShapeCheck.Same(y, x);
        ShapeCheck.Is(bias, 1, x.Cols, nameof(bias));
        using (Profile is null ? default : Time(OperationName.Of(OperationName.BiasActivationForward, activation), x, x, y, bias))
        {
            BiasActivationForwardCore(activation, y, x, bias);
        }
    }

    /// <summary>
    /// x (B, N) += bias (1, N), y = f(x), dropped = y * mask / keep with
    /// mask[i] = uniform(seed, stream, i) &lt; keep, in one pass: a hidden layer's epilogue when
    /// training. x and y are kept for backward; no two of the outputs may alias.
    /// </summary>
    public void BiasActivationDropoutForward(
        Activation activation, Tensor dropped, Tensor y, Tensor x, Tensor bias, float keepProbability, ulong seed, RandomStream stream)
    {
        RequireDefined(activation);
        ShapeCheck.Same(dropped, x);
        ShapeCheck.Same(y, x);
        ShapeCheck.Is(bias, 1, x.Cols, nameof(bias));
        RequireKeepProbability(keepProbability);
        using (Profile is null ? default : Time(OperationName.Of(OperationName.BiasActivationDropoutForward, activation), x, x, y, dropped, bias))
        {
            BiasActivationDropoutForwardCore(activation, dropped, y, x, bias, keepProbability, seed, stream);
        }
    }

    /// <summary>dx = dy * f'(x), given x and y = f(x); dx may alias dy. A hidden layer's backward without dropout.</summary>
    public void ActivationBackward(Activation activation, Tensor dx, Tensor dy, Tensor x, Tensor y)
    {
        RequireDefined(activation);
        ShapeCheck.Same(dx, dy);
        ShapeCheck.Same(dx, x);
        ShapeCheck.Same(dx, y);
        using (Profile is null ? default : Time(OperationName.Of(OperationName.ActivationBackward, activation), dx, dy, x, y))
        {
            ActivationBackwardCore(activation, dx, dy, x, y);
        }
    }

    /// <summary>
    /// dx = (dy * mask / keep) * f'(x) with the forward pass's mask, given x and y = f(x), in
    /// one pass; dx may alias dy. A hidden layer's backward when training.
    /// </summary>
    public void DropoutActivationBackward(
        Activation activation, Tensor dx, Tensor dy, Tensor x, Tensor y, float keepProbability, ulong seed, RandomStream stream)
    {
        RequireDefined(activation);
        ShapeCheck.Same(dx, dy);
        ShapeCheck.Same(dx, x);
        ShapeCheck.Same(dx, y);
        RequireKeepProbability(keepProbability);
        using (Profile is null ? default : Time(OperationName.Of(OperationName.DropoutActivationBackward, activation), dx, dy, x, y))
        {
            DropoutActivationBackwardCore(activation, dx, dy, x, y, keepProbability, seed, stream);
        }
    }

    /// <summary>
    /// Splits the encoder's output h (B, 2Z) into mu = h[:, :Z] and
    /// sigma = 1e-6 + softplus(h[:, Z:]), both (B, Z).
    /// </summary>
    public void GaussianHead(Tensor mu, Tensor sigma, Tensor h)
    {
        ShapeCheck.Is(h, mu.Rows, 2 * mu.Cols, nameof(h));
        ShapeCheck.Same(mu, sigma);
        using (Time(OperationName.GaussianHead, mu, sigma, h))
        {
            GaussianHeadCore(mu, sigma, h);
        }
    }

    /// <summary>dh (B, 2Z) = [dMu, dSigma * sigmoid(h[:, Z:])].</summary>
    public void GaussianHeadBackward(Tensor dh, Tensor dMu, Tensor dSigma, Tensor h)
    {
        ShapeCheck.Is(dh, dMu.Rows, 2 * dMu.Cols, nameof(dh));
        ShapeCheck.Same(dh, h);
        ShapeCheck.Same(dMu, dSigma);
        using (Time(OperationName.GaussianHeadBackward, dh, dMu, dSigma, h))
        {
            GaussianHeadBackwardCore(dh, dMu, dSigma, h);
        }
    }

    /// <summary>eps ~ N(0, 1) by Box-Muller on Philox bits; z = mu + sigma * eps. All (B, Z).</summary>
    public void Reparameterize(Tensor z, Tensor eps, Tensor mu, Tensor sigma, ulong seed, RandomStream stream)
    {
        ShapeCheck.Same(z, eps);
        ShapeCheck.Same(z, mu);
        ShapeCheck.Same(z, sigma);
        using (Time(OperationName.Reparameterize, z, eps, mu, sigma))
        {
            ReparameterizeCore(z, eps, mu, sigma, seed, stream);
        }
    }

    /// <summary>dMu = dz, dSigma = dz * eps (both overwritten).</summary>
    public void ReparameterizeBackward(Tensor dMu, Tensor dSigma, Tensor dz, Tensor eps)
    {
        ShapeCheck.Same(dMu, dSigma);
        ShapeCheck.Same(dMu, dz);
        ShapeCheck.Same(dMu, eps);
        using (Time(OperationName.ReparameterizeBackward, dMu, dSigma, dz, eps))
        {
            ReparameterizeBackwardCore(dMu, dSigma, dz, eps);
        }
    }

    /// <summary>
    /// The denoising variant's input corruption: each pixel independently becomes 0 with
    /// probability fraction / 2, 1 with probability fraction / 2, else stays.
    /// </summary>
    public void SaltAndPepper(Tensor y, Tensor x, float fraction, ulong seed, RandomStream stream)
    {
        ShapeCheck.Same(y, x);
        RequireProbability(fraction, nameof(fraction));
        using (Time(OperationName.SaltAndPepper, y, x))
        {
            MapCore(new Sampling.SaltAndPepperMap(fraction, seed), y, x, stream);
        }
    }

    /// <summary>
    /// y = 1 with probability x, else 0, for pixels x in [0, 1]: each image drawn as a
    /// Bernoulli sample of its grey levels (dynamically binarized MNIST). Consecutive groups of
    /// rowsPerImage rows are copies of one image, all drawn alike.
    /// </summary>
    public void Binarize(Tensor y, Tensor x, ulong seed, RandomStream stream, int rowsPerImage = 1)
    {
        ShapeCheck.Same(y, x);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rowsPerImage);
        if (y.Rows % rowsPerImage != 0)
        {
            throw new ArgumentException($"{y.Rows} rows are no whole number of images of {rowsPerImage} copies", nameof(rowsPerImage));
        }

        using (Time(OperationName.Binarize, y, x))
        {
            MapCore(new Sampling.BinarizeMap(seed, y.Cols, rowsPerImage), y, x, stream);
        }
    }

    /// <summary>
    /// loss (B, 1) = -sum_d [t log p + (1 - t) log(1 - p)] with p clamped to [1e-8, 1 - 1e-8].
    /// </summary>
    public void BinaryCrossEntropy(Tensor loss, Tensor p, Tensor target)
    {
        ShapeCheck.Same(p, target);
        ShapeCheck.Is(loss, p.Rows, 1, nameof(loss));
        using (Time(OperationName.BceForward, loss, p, target))
        {
            BinaryCrossEntropyCore(loss, p, target);
        }
    }

    /// <summary>
    /// dLogits (B, D) = scale * d(BCE)/d(logits) where p = clamp(sigmoid(logits)): scale * (p - t)
    /// inside the clamp, 0 where the clamp is active (as tf.clip_by_value's gradient).
    /// </summary>
    public void BinaryCrossEntropyBackward(Tensor dLogits, Tensor p, Tensor target, float scale)
    {
        ShapeCheck.Same(dLogits, p);
        ShapeCheck.Same(dLogits, target);
        using (Time(OperationName.BceBackward, dLogits, p, target))
        {
            BinaryCrossEntropyBackwardCore(dLogits, p, target, scale);
        }
    }

    /// <summary>kl (B, 1) = 0.5 * sum_z [mu^2 + sigma^2 - log(1e-8 + sigma^2) - 1].</summary>
    public void KlDivergence(Tensor kl, Tensor mu, Tensor sigma)
    {
        ShapeCheck.Same(mu, sigma);
        ShapeCheck.Is(kl, mu.Rows, 1, nameof(kl));
        using (Time(OperationName.KlForward, kl, mu, sigma))
        {
            KlDivergenceCore(kl, mu, sigma);
        }
    }

    /// <summary>dMu += scale * mu; dSigma += scale * (sigma - sigma / (1e-8 + sigma^2)).</summary>
    public void KlDivergenceBackward(Tensor dMu, Tensor dSigma, Tensor mu, Tensor sigma, float scale)
    {
        ShapeCheck.Same(dMu, dSigma);
        ShapeCheck.Same(dMu, mu);
        ShapeCheck.Same(dMu, sigma);
        using (Time(OperationName.KlBackward, dMu, dMu, dSigma, dSigma, mu, sigma))
        {
            KlDivergenceBackwardCore(dMu, dSigma, mu, sigma, scale);
        }
    }

    /// <summary>
    /// logWeight (B, 1) = log p(z) - log q(z | x) = sum_z [log sigma + (eps^2 - z^2) / 2]:
    /// the prior-over-posterior part of an importance weight for z = mu + sigma * eps.
    /// </summary>
    public void LogPriorOverPosterior(Tensor logWeight, Tensor z, Tensor eps, Tensor sigma)
    {
        ShapeCheck.Same(z, eps);
        ShapeCheck.Same(z, sigma);
        ShapeCheck.Is(logWeight, z.Rows, 1, nameof(logWeight));
        using (Time(OperationName.LogPriorOverPosterior, logWeight, z, eps, sigma))
        {
            LogPriorOverPosteriorCore(logWeight, z, eps, sigma);
        }
    }

    /// <summary>
    /// The importance-weighted bound over K samples per image, whose rows are consecutive:
    /// log w (B K) = logPriorOverPosterior - bce, weights (B K, 1) = each image's softmax of
    /// its K log weights, loss (B, 1) = -log (1/K sum_k w_k).
    /// </summary>
    public void ImportanceWeights(Tensor weights, Tensor loss, Tensor bce, Tensor logPriorOverPosterior, int samples)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        ShapeCheck.Is(bce, weights.Rows, 1, nameof(bce));
        ShapeCheck.Same(weights, bce);
        ShapeCheck.Same(weights, logPriorOverPosterior);
        if (weights.Rows % samples != 0)
        {
            throw new ArgumentException($"{weights.Rows} rows are no whole number of images of {samples} samples", nameof(samples));
        }

        ShapeCheck.Is(loss, weights.Rows / samples, 1, nameof(loss));
        using (Time(OperationName.ImportanceWeights, weights, loss, bce, logPriorOverPosterior))
        {
            ImportanceWeightsCore(weights, loss, bce, logPriorOverPosterior, samples);
        }
    }

    /// <summary>y (R, C) with row r multiplied by weights[r] (R, 1), in place.</summary>
    public void ScaleRows(Tensor y, Tensor weights)
    {
        ShapeCheck.Is(weights, y.Rows, 1, nameof(weights));
        using (Time(OperationName.ScaleRows, y, y, weights))
        {
            ScaleRowsCore(y, weights);
        }
    }

    /// <summary>
    /// dMu += scale * w_r * z, dSigma += scale * w_r * (z eps - 1 / sigma): the gradient of
    /// -scale * w_r * (log p(z) - log q(z | x)) for z = mu + sigma * eps, all (R, Z), w (R, 1).
    /// </summary>
    public void LogPriorOverPosteriorBackward(Tensor dMu, Tensor dSigma, Tensor z, Tensor eps, Tensor sigma, Tensor weights, float scale)
    {
        ShapeCheck.Same(dMu, dSigma);
        ShapeCheck.Same(dMu, z);
        ShapeCheck.Same(dMu, eps);
        ShapeCheck.Same(dMu, sigma);
        ShapeCheck.Is(weights, z.Rows, 1, nameof(weights));
        using (Time(OperationName.LogPriorOverPosteriorBackward, dMu, dMu, dSigma, dSigma, z, eps, sigma, weights))
        {
            LogPriorOverPosteriorBackwardCore(dMu, dSigma, z, eps, sigma, weights, scale);
        }
    }

    /// <summary>
    /// One fused, bias-corrected Adam update of every parameter in a block with its moments m
    /// and v, all four blocks of the same shapes: one launch over the whole block on a device.
    /// Its scalars are the step's (<see cref="StepValues.SetAdam"/>).
    /// </summary>
    public void AdamUpdate(TensorBlock parameters, TensorBlock m, TensorBlock v, TensorBlock gradients, StepValues step)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(step);
        ShapeCheck.SameLayout(parameters, m, nameof(m));
        ShapeCheck.SameLayout(parameters, v, nameof(v));
        ShapeCheck.SameLayout(parameters, gradients, nameof(gradients));
        using (Profile is null ? default : Time(OperationName.Adam, AdamTraffic(parameters)))
        {
            AdamUpdateCore(parameters, m, v, gradients, step);
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    protected abstract Tensor AllocateCore(int rows, int cols);

    protected abstract TensorBlock AllocateBlockCore(IReadOnlyList<(int Rows, int Cols)> shapes);

    protected abstract void UploadCore(Tensor destination, ReadOnlySpan<float> source);

    protected abstract void DownloadCore(Tensor source, Span<float> destination);

    /// <summary>A copy on the device: only a backend in the caller's memory can do better.</summary>
    protected virtual Tensor UploadSharedCore(float[] values, int rows, int cols)
    {
        var tensor = AllocateCore(rows, cols);
        UploadCore(tensor, values);
        return tensor;
    }

    protected abstract void FillCore(Tensor y, float value);

    protected abstract void CopyCore(Tensor y, Tensor x);

    protected abstract StepValues AllocateStepValuesCore(int rowCapacity);

    protected abstract Readback AllocateReadbackCore(int length);

    protected abstract void UploadStepValuesCore(StepValues values);

    protected abstract void CopyToReadbackCore(Readback destination, Tensor source);

    /// <summary>By default a backend runs each operation as it is called, with nothing to record.</summary>
    protected virtual bool TryCaptureCore(Action enqueue, out CapturedWork? work, out string reason)
    {
        work = null;
        reason = $"the {Kind} backend runs each operation as it is called; CUDA graphs need --accelerator cuda";
        return false;
    }

    protected abstract void GatherRowsCore(Tensor y, Tensor x, StepValues rows);

    protected abstract void GemmCore(Tensor c, Tensor a, bool transposeA, Tensor b, bool transposeB, float alpha, float beta, int m, int n, int k);

    protected abstract void AddBiasCore(Tensor y, Tensor bias);

    protected abstract void SumColumnsCore(Tensor sums, Tensor x, float alpha);

    protected abstract void BiasActivationForwardCore(Activation activation, Tensor y, Tensor x, Tensor bias);

    protected abstract void BiasActivationDropoutForwardCore(
        Activation activation, Tensor dropped, Tensor y, Tensor x, Tensor bias, float keepProbability, ulong seed, RandomStream stream);

    protected abstract void ActivationBackwardCore(Activation activation, Tensor dx, Tensor dy, Tensor x, Tensor y);

    protected abstract void DropoutActivationBackwardCore(
        Activation activation, Tensor dx, Tensor dy, Tensor x, Tensor y, float keepProbability, ulong seed, RandomStream stream);

    protected abstract void GaussianHeadCore(Tensor mu, Tensor sigma, Tensor h);

    protected abstract void GaussianHeadBackwardCore(Tensor dh, Tensor dMu, Tensor dSigma, Tensor h);

    protected abstract void ReparameterizeCore(Tensor z, Tensor eps, Tensor mu, Tensor sigma, ulong seed, RandomStream stream);

    protected abstract void ReparameterizeBackwardCore(Tensor dMu, Tensor dSigma, Tensor dz, Tensor eps);

    /// <summary>
    /// y[i] = map.Apply(x[i], i, stream) over same-shaped tensors: every one-in, one-out elementwise
    /// operation (<see cref="IElementwiseMap"/>) runs through this one member, so a new one
    /// needs its map in its family file and a declaration here, and no backend code.
    /// </summary>
    private protected abstract void MapCore<TMap>(TMap map, Tensor y, Tensor x, RandomStream stream)
        where TMap : struct, IElementwiseMap;

    protected abstract void BinaryCrossEntropyCore(Tensor loss, Tensor p, Tensor target);

    protected abstract void BinaryCrossEntropyBackwardCore(Tensor dLogits, Tensor p, Tensor target, float scale);

    protected abstract void KlDivergenceCore(Tensor kl, Tensor mu, Tensor sigma);

    protected abstract void KlDivergenceBackwardCore(Tensor dMu, Tensor dSigma, Tensor mu, Tensor sigma, float scale);

    protected abstract void LogPriorOverPosteriorCore(Tensor logWeight, Tensor z, Tensor eps, Tensor sigma);

    protected abstract void ImportanceWeightsCore(Tensor weights, Tensor loss, Tensor bce, Tensor logPriorOverPosterior, int samples);

    protected abstract void ScaleRowsCore(Tensor y, Tensor weights);

    protected abstract void LogPriorOverPosteriorBackwardCore(Tensor dMu, Tensor dSigma, Tensor z, Tensor eps, Tensor sigma, Tensor weights, float scale);

    protected abstract void AdamUpdateCore(TensorBlock parameters, TensorBlock m, TensorBlock v, TensorBlock gradients, StepValues step);

    private static void RequireLength(int actual, Tensor tensor, string name)
    {
        if (actual != tensor.Length)
        {
            throw new ArgumentException($"{name} has {actual} elements, the tensor {tensor} {tensor.Length}", name);
        }
    }

    /// <summary>A value outside the enum (a cast integer) is rejected here; a defined one no switch handles gives NaN in a kernel.</summary>
    private static void RequireDefined(Activation activation)
    {
        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "not an activation");
        }
    }

    private static void RequireKeepProbability(float keepProbability)
    {
        if (!(keepProbability is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(keepProbability), keepProbability, "the keep probability must be in (0, 1]");
        }
    }

    private static void RequireProbability(float value, string name)
    {
        if (!(value is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1]");
        }
    }

    /// <summary>Adam reads each parameter, its two moments and its gradient, and writes the first three back.</summary>
    private static long AdamTraffic(TensorBlock parameters) => 7L * parameters.Length * sizeof(float);

    /// <summary>
    /// Times an operation that moves each of <paramref name="touched"/> once at the least, a
    /// tensor listed twice where it is both read and written (an in-place update): the traffic
    /// the step's floor holds the operations other than GEMM to, at memory bandwidth. Counted
    /// only while profiling.
    /// </summary>
    private OperationTimer Time(string operation, params ReadOnlySpan<Tensor> touched)
    {
        if (Profile is null)
        {
            return default;
        }

        long elements = 0;
        foreach (var tensor in touched)
        {
            elements += tensor.Length;
        }

        return Time(operation, elements * sizeof(float));
    }

    private OperationTimer Time(string operation, long bytes)
    {
        if (Profile is null)
        {
            return default;
        }

        Synchronize();
        return new OperationTimer(this, operation, bytes, Stopwatch.GetTimestamp());
    }

    /// <summary>Charges an operation from its start until the device has finished it.</summary>
    private readonly struct OperationTimer(Backend? backend, string operation, long bytes, long start) : IDisposable
    {
        public void Dispose()
        {
            if (backend?.Profile is { } profile)
            {
                backend.Synchronize();
                profile.Add(operation, Stopwatch.GetElapsedTime(start).TotalMilliseconds, bytes);
            }
        }
    }
}

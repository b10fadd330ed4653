namespace GpuVae.Kernels;

/// <summary>
/// Every operation the VAE needs, on tensors that live on one device. The model is written
/// once against this interface; <see cref="Host.HostBackend"/> runs it in plain .NET and
/// <see cref="Ilgpu.IlgpuBackend"/> runs it with our ILGPU kernels on CUDA, OpenCL or ILGPU's
/// CPU accelerator. Arguments follow the kernels' order: outputs first, then inputs, then
/// scalars. Shapes use B batch, D pixels, H hidden units, Z latent dimension.
/// </summary>
public interface IBackend : IDisposable
{
    /// <summary>host, cpu, cuda or opencl: what the user passes to --accelerator.</summary>
    string Kind { get; }

    /// <summary>The device's own name, for logs and reports.</summary>
    string DeviceName { get; }

    /// <summary>A zero-filled (rows, cols) tensor.</summary>
    Tensor Allocate(int rows, int cols);

    /// <summary>Zero-filled tensors of these shapes, in one allocation where the backend can make one.</summary>
    TensorBlock AllocateBlock(IReadOnlyList<(int Rows, int Cols)> shapes);

    void Upload(Tensor destination, ReadOnlySpan<float> source);

    void Download(Tensor source, Span<float> destination);

    /// <summary>Waits for all queued work; timings are only meaningful after it.</summary>
    void Synchronize();

    void Fill(Tensor y, float value);

    void Copy(Tensor y, Tensor x);

    /// <summary>y (len(rows), C) = x[rows, :] for x (N, C): assembles a shuffled batch.</summary>
    void GatherRows(Tensor y, Tensor x, ReadOnlySpan<int> rows);

    /// <summary>c = alpha * op(a) * op(b) + beta * c, op transposes when asked.</summary>
    void Gemm(Tensor c, Tensor a, bool transposeA, Tensor b, bool transposeB, float alpha, float beta);

    /// <summary>y (B, N) += bias (1, N) on every row: the encoder's output layer, which has no activation.</summary>
    void AddBias(Tensor y, Tensor bias);

    /// <summary>sums (1, N) = alpha * column sums of x (B, N): bias gradients and batch means.</summary>
    void SumColumns(Tensor sums, Tensor x, float alpha);

    /// <summary>
    /// x (B, N) += bias (1, N), then y = f(x), in one pass: a dense layer's epilogue (the
    /// decoder's sigmoid output, a hidden layer without dropout). x keeps the pre-activation
    /// that backward needs, so y must not alias it.
    /// </summary>
    void BiasActivationForward(Activation activation, Tensor y, Tensor x, Tensor bias);

    /// <summary>
    /// x (B, N) += bias (1, N), y = f(x), dropped = y * mask / keep with
    /// mask[i] = uniform(seed, stream, i) &lt; keep, in one pass: a hidden layer's epilogue when
    /// training. x and y are kept for backward; no two of the outputs may alias.
    /// </summary>
    void BiasActivationDropoutForward(
        Activation activation, Tensor dropped, Tensor y, Tensor x, Tensor bias, float keepProbability, ulong seed, ulong stream);

    /// <summary>dx = dy * f'(x), given x and y = f(x); dx may alias dy. A hidden layer's backward without dropout.</summary>
    void ActivationBackward(Activation activation, Tensor dx, Tensor dy, Tensor x, Tensor y);

    /// <summary>
    /// dx = (dy * mask / keep) * f'(x) with the forward pass's mask, given x and y = f(x), in
    /// one pass; dx may alias dy. A hidden layer's backward when training.
    /// </summary>
    void DropoutActivationBackward(
        Activation activation, Tensor dx, Tensor dy, Tensor x, Tensor y, float keepProbability, ulong seed, ulong stream);

    /// <summary>
    /// Splits the encoder's output h (B, 2Z) into mu = h[:, :Z] and
    /// sigma = 1e-6 + softplus(h[:, Z:]), both (B, Z).
    /// </summary>
    void GaussianHead(Tensor mu, Tensor sigma, Tensor h);

    /// <summary>dh (B, 2Z) = [dMu, dSigma * sigmoid(h[:, Z:])].</summary>
    void GaussianHeadBackward(Tensor dh, Tensor dMu, Tensor dSigma, Tensor h);

    /// <summary>eps ~ N(0, 1) by Box-Muller on Philox bits; z = mu + sigma * eps. All (B, Z).</summary>
    void Reparameterize(Tensor z, Tensor eps, Tensor mu, Tensor sigma, ulong seed, ulong stream);

    /// <summary>dMu = dz, dSigma = dz * eps (both overwritten).</summary>
    void ReparameterizeBackward(Tensor dMu, Tensor dSigma, Tensor dz, Tensor eps);

    /// <summary>
    /// The parent project's input corruption: each pixel independently becomes 0 with
    /// probability fraction / 2, 1 with probability fraction / 2, else stays.
    /// </summary>
    void SaltAndPepper(Tensor y, Tensor x, float fraction, ulong seed, ulong stream);

    /// <summary>
    /// loss (B, 1) = -sum_d [t log p + (1 - t) log(1 - p)] with p clamped to [1e-8, 1 - 1e-8].
    /// </summary>
    void BinaryCrossEntropy(Tensor loss, Tensor p, Tensor target);

    /// <summary>
    /// dLogits (B, D) = scale * d(BCE)/d(logits) where p = clamp(sigmoid(logits)): scale * (p - t)
    /// inside the clamp, 0 where the clamp is active (as tf.clip_by_value's gradient).
    /// </summary>
    void BinaryCrossEntropyBackward(Tensor dLogits, Tensor p, Tensor target, float scale);

    /// <summary>kl (B, 1) = 0.5 * sum_z [mu^2 + sigma^2 - log(1e-8 + sigma^2) - 1].</summary>
    void KlDivergence(Tensor kl, Tensor mu, Tensor sigma);

    /// <summary>dMu += scale * mu; dSigma += scale * (sigma - sigma / (1e-8 + sigma^2)).</summary>
    void KlDivergenceBackward(Tensor dMu, Tensor dSigma, Tensor mu, Tensor sigma, float scale);

    /// <summary>
    /// logWeight (B, 1) = log p(z) - log q(z | x) = sum_z [log sigma + (eps^2 - z^2) / 2]:
    /// the prior-over-posterior part of an importance weight for z = mu + sigma * eps.
    /// </summary>
    void LogPriorOverPosterior(Tensor logWeight, Tensor z, Tensor eps, Tensor sigma);

    /// <summary>
    /// One fused, bias-corrected Adam update of every parameter in a block with its moments m
    /// and v, all four blocks of the same shapes: one launch over the whole block on a device.
    /// </summary>
    void AdamUpdate(TensorBlock parameters, TensorBlock m, TensorBlock v, TensorBlock gradients, AdamStep step);
}

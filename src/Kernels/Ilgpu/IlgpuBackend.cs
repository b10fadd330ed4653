using ILGPU;
using ILGPU.Runtime;

namespace GpuVae.Kernels.Ilgpu;

/// <summary>
/// Our kernels on one ILGPU accelerator (CUDA, OpenCL or ILGPU's CPU accelerator). Owns the
/// context and the accelerator, loads every kernel once at construction, and checks shapes
/// exactly as <see cref="Host.HostBackend"/> does. Not thread-safe: one stream, one caller.
/// </summary>
public sealed class IlgpuBackend : IBackend
{
    private readonly Context context;
    private readonly Accelerator accelerator;
    private readonly Memory.Launcher memory;
    private readonly Gemm.Launcher gemm;
    private readonly Bias.Launcher bias;
    private readonly Reductions.Launcher reductions;
    private readonly Activations.Launcher activations;
    private readonly Epilogues.Launcher epilogues;
    private readonly Sampling.Launcher sampling;
    private readonly Losses.Launcher losses;
    private readonly Adam.Launcher adam;

    // Row indices for GatherRows, grown to the largest batch seen and reused.
    private MemoryBuffer1D<int, Stride1D.Dense>? rowIndices;

    /// <summary>Takes ownership of both: disposing the backend disposes the accelerator, then the context.</summary>
    public IlgpuBackend(Context context, Accelerator accelerator, string kind)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(accelerator);
        this.context = context;
        this.accelerator = accelerator;
        Kind = kind;
        memory = new Memory.Launcher(accelerator);
        gemm = new Gemm.Launcher(accelerator);
        bias = new Bias.Launcher(accelerator);
        reductions = new Reductions.Launcher(accelerator);
        activations = new Activations.Launcher(accelerator);
        epilogues = new Epilogues.Launcher(accelerator);
        sampling = new Sampling.Launcher(accelerator);
        losses = new Losses.Launcher(accelerator);
        adam = new Adam.Launcher(accelerator);
        GemmKernel = gemm.Preferred;
    }

    public string Kind { get; }

    public string DeviceName => accelerator.Name;

    public Accelerator Accelerator => accelerator;

    /// <summary>
    /// The GEMM kernel <see cref="Gemm(Tensor, Tensor, bool, Tensor, bool, float, float)"/> runs:
    /// the accelerator's preferred one unless a benchmark sets another to time whole steps with it.
    /// </summary>
    public GemmVariant GemmKernel { get; set; }

    /// <summary>The GEMM kernels worth checking and timing on this accelerator.</summary>
    public IReadOnlyList<GemmVariant> UsableGemms => gemm.Usable;

    /// <summary>The kernel <see cref="SumColumns(Tensor, Tensor, float)"/> and <see cref="BinaryCrossEntropy(Tensor, Tensor, Tensor)"/> run here.</summary>
    public ReductionVariant PreferredReduction => reductions.Preferred;

    public Tensor Allocate(int rows, int cols)
    {
        MemoryBuffer1D<float, Stride1D.Dense> buffer;
        try
        {
            buffer = accelerator.Allocate1D<float>((long)rows * cols);
        }
        catch (Exception e) when (e is AcceleratorException or OutOfMemoryException)
        {
            long bytes = (long)rows * cols * sizeof(float);
            throw new DeviceMemoryException(
                $"{Kind} device '{DeviceName}' is out of memory: a ({rows}, {cols}) tensor needs {bytes:N0} bytes "
                + $"(the device has {accelerator.MemorySize:N0} in all); a smaller --batch-size or --hidden needs less",
                e);
        }

        var tensor = new DeviceTensor(buffer, rows, cols);
        memory.Fill(tensor.View, 0, tensor.Length);
        return tensor;
    }

    /// <summary>One buffer, owned by the block's whole tensor; each part a view into it.</summary>
    public TensorBlock AllocateBlock(IReadOnlyList<(int Rows, int Cols)> shapes)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        long length = shapes.Sum(shape => (long)shape.Rows * shape.Cols);
        if (length > int.MaxValue)
        {
            throw new ArgumentException($"a block of {length:N0} floats is more than one tensor can hold", nameof(shapes));
        }

        var whole = (DeviceTensor)Allocate(1, (int)length);
        var parts = new List<Tensor>(shapes.Count);
        long offset = 0;
        foreach (var (rows, cols) in shapes)
        {
            parts.Add(new DeviceTensor(accelerator, whole.View.SubView(offset, (long)rows * cols), rows, cols));
            offset += (long)rows * cols;
        }

        return new TensorBlock(parts, whole);
    }

    public void Upload(Tensor destination, ReadOnlySpan<float> source)
    {
        RequireLength(source.Length, destination.Length, nameof(source));
        View(destination).AsContiguous().CopyFromCPU(source);
    }

    public void Download(Tensor source, Span<float> destination)
    {
        RequireLength(destination.Length, source.Length, nameof(destination));
        View(source).AsContiguous().CopyToCPU(destination);
    }

    public void Synchronize() => accelerator.Synchronize();

    public void Fill(Tensor y, float value) => memory.Fill(View(y), value, y.Length);

    public void Copy(Tensor y, Tensor x)
    {
        ShapeCheck.Same(y, x);
        memory.Copy(View(y), View(x), y.Length);
    }

    public void GatherRows(Tensor y, Tensor x, ReadOnlySpan<int> rows)
    {
        ShapeCheck.Is(y, rows.Length, x.Cols, nameof(y));
        foreach (int row in rows)
        {
            if ((uint)row >= (uint)x.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"row {row} is outside x {x}");
            }
        }

        if (rowIndices is null || rowIndices.Length < rows.Length)
        {
            rowIndices?.Dispose();
            rowIndices = accelerator.Allocate1D<int>(rows.Length);
        }

        var indices = rowIndices.View.SubView(0, rows.Length);
        indices.AsContiguous().CopyFromCPU(rows);
        memory.GatherRows(View(y), View(x), indices, x.Cols);
    }

    public void Gemm(Tensor c, Tensor a, bool transposeA, Tensor b, bool transposeB, float alpha, float beta) =>
        Gemm(GemmKernel, c, a, transposeA, b, transposeB, alpha, beta);

    /// <summary>The same GEMM with a chosen kernel, so tests and benchmarks can run every variant here.</summary>
    public void Gemm(GemmVariant variant, Tensor c, Tensor a, bool transposeA, Tensor b, bool transposeB, float alpha, float beta)
    {
        var (m, n, k) = GemmShape.Of(c, a, transposeA, b, transposeB);
        gemm.Run(variant, View(c), View(a), transposeA, View(b), transposeB, alpha, beta, m, n, k);
    }

    public void AddBias(Tensor y, Tensor bias)
    {
        ShapeCheck.Is(bias, 1, y.Cols, nameof(bias));
        this.bias.Add(View(y), View(bias), y.Rows, y.Cols);
    }

    public void SumColumns(Tensor sums, Tensor x, float alpha) => SumColumns(reductions.Preferred, sums, x, alpha);

    /// <summary>The same sum with a chosen kernel, so tests can run both variants here.</summary>
    public void SumColumns(ReductionVariant variant, Tensor sums, Tensor x, float alpha)
    {
        ShapeCheck.Is(sums, 1, x.Cols, nameof(sums));
        reductions.SumColumns(variant, View(sums), View(x), alpha, x.Rows, x.Cols);
    }

    public void BiasActivationForward(Activation activation, Tensor y, Tensor x, Tensor bias)
    {
        ShapeCheck.Same(y, x);
        ShapeCheck.Is(bias, 1, x.Cols, nameof(bias));
        epilogues.Forward(activation, View(y), View(x), View(bias), x.Rows, x.Cols);
    }

    public void BiasActivationDropoutForward(
        Activation activation, Tensor dropped, Tensor y, Tensor x, Tensor bias, float keepProbability, ulong seed, ulong stream)
    {
        ShapeCheck.Same(dropped, x);
        ShapeCheck.Same(y, x);
        ShapeCheck.Is(bias, 1, x.Cols, nameof(bias));
        epilogues.DropoutForward(activation, View(dropped), View(y), View(x), View(bias), keepProbability, seed, stream, x.Rows, x.Cols);
    }

    public void ActivationBackward(Activation activation, Tensor dx, Tensor dy, Tensor x, Tensor y)
    {
        ShapeCheck.Same(dx, dy);
        ShapeCheck.Same(dx, x);
        ShapeCheck.Same(dx, y);
        activations.Backward(activation, View(dx), View(dy), View(x), View(y), dx.Length);
    }

    public void DropoutActivationBackward(
        Activation activation, Tensor dx, Tensor dy, Tensor x, Tensor y, float keepProbability, ulong seed, ulong stream)
    {
        ShapeCheck.Same(dx, dy);
        ShapeCheck.Same(dx, x);
        ShapeCheck.Same(dx, y);
        epilogues.DropoutBackward(activation, View(dx), View(dy), View(x), View(y), keepProbability, seed, stream, dx.Length);
    }

    public void GaussianHead(Tensor mu, Tensor sigma, Tensor h)
    {
        ShapeCheck.Is(h, mu.Rows, 2 * mu.Cols, nameof(h));
        ShapeCheck.Same(mu, sigma);
        sampling.GaussianHead(View(mu), View(sigma), View(h), mu.Rows, mu.Cols);
    }

    public void GaussianHeadBackward(Tensor dh, Tensor dMu, Tensor dSigma, Tensor h)
    {
        ShapeCheck.Is(dh, dMu.Rows, 2 * dMu.Cols, nameof(dh));
        ShapeCheck.Same(dh, h);
        ShapeCheck.Same(dMu, dSigma);
        sampling.GaussianHeadBackward(View(dh), View(dMu), View(dSigma), View(h), dMu.Rows, dMu.Cols);
    }

    public void Reparameterize(Tensor z, Tensor eps, Tensor mu, Tensor sigma, ulong seed, ulong stream)
    {
        ShapeCheck.Same(z, eps);
        ShapeCheck.Same(z, mu);
        ShapeCheck.Same(z, sigma);
        sampling.Reparameterize(View(z), View(eps), View(mu), View(sigma), seed, stream, z.Length);
    }

    public void ReparameterizeBackward(Tensor dMu, Tensor dSigma, Tensor dz, Tensor eps)
    {
        ShapeCheck.Same(dMu, dSigma);
        ShapeCheck.Same(dMu, dz);
        ShapeCheck.Same(dMu, eps);
        sampling.ReparameterizeBackward(View(dMu), View(dSigma), View(dz), View(eps), dMu.Length);
    }

    public void SaltAndPepper(Tensor y, Tensor x, float fraction, ulong seed, ulong stream)
    {
        ShapeCheck.Same(y, x);
        sampling.SaltAndPepper(View(y), View(x), fraction, seed, stream, y.Length);
    }

    public void BinaryCrossEntropy(Tensor loss, Tensor p, Tensor target) => BinaryCrossEntropy(losses.Preferred, loss, p, target);

    /// <summary>The same loss with a chosen kernel, so tests can run both variants here.</summary>
    public void BinaryCrossEntropy(ReductionVariant variant, Tensor loss, Tensor p, Tensor target)
    {
        ShapeCheck.Same(p, target);
        ShapeCheck.Is(loss, p.Rows, 1, nameof(loss));
        losses.BinaryCrossEntropy(variant, View(loss), View(p), View(target), p.Rows, p.Cols);
    }

    public void BinaryCrossEntropyBackward(Tensor dLogits, Tensor p, Tensor target, float scale)
    {
        ShapeCheck.Same(dLogits, p);
        ShapeCheck.Same(dLogits, target);
        losses.BinaryCrossEntropyBackward(View(dLogits), View(p), View(target), scale, dLogits.Length);
    }

    public void KlDivergence(Tensor kl, Tensor mu, Tensor sigma)
    {
        ShapeCheck.Same(mu, sigma);
        ShapeCheck.Is(kl, mu.Rows, 1, nameof(kl));
        losses.KlDivergence(View(kl), View(mu), View(sigma), mu.Rows, mu.Cols);
    }

    public void KlDivergenceBackward(Tensor dMu, Tensor dSigma, Tensor mu, Tensor sigma, float scale)
    {
        ShapeCheck.Same(dMu, dSigma);
        ShapeCheck.Same(dMu, mu);
        ShapeCheck.Same(dMu, sigma);
        losses.KlDivergenceBackward(View(dMu), View(dSigma), View(mu), View(sigma), scale, dMu.Length);
    }

    public void LogPriorOverPosterior(Tensor logWeight, Tensor z, Tensor eps, Tensor sigma)
    {
        ShapeCheck.Same(z, eps);
        ShapeCheck.Same(z, sigma);
        ShapeCheck.Is(logWeight, z.Rows, 1, nameof(logWeight));
        losses.LogPriorOverPosterior(View(logWeight), View(z), View(eps), View(sigma), z.Rows, z.Cols);
    }

    public void AdamUpdate(TensorBlock parameters, TensorBlock m, TensorBlock v, TensorBlock gradients, AdamStep step)
    {
        ShapeCheck.SameLayout(parameters, m, nameof(m));
        ShapeCheck.SameLayout(parameters, v, nameof(v));
        ShapeCheck.SameLayout(parameters, gradients, nameof(gradients));
        adam.Update(View(Whole(parameters)), View(Whole(m)), View(Whole(v)), View(Whole(gradients)), step, parameters.Length);
    }

    public void Dispose()
    {
        rowIndices?.Dispose();
        gemm.Dispose();
        accelerator.Dispose();
        context.Dispose();
    }

    private static Tensor Whole(TensorBlock block) =>
        block.Whole ?? throw new ArgumentException("a block of separate tensors from another backend was passed to an ILGPU backend");

    private ArrayView1D<float, Stride1D.Dense> View(Tensor tensor) =>
        tensor is DeviceTensor device && device.Accelerator == accelerator
            ? device.View
            : throw new ArgumentException($"a {tensor.GetType().Name} {tensor} from another backend was passed to the {Kind} backend");

    private static void RequireLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{name} has {actual} elements, the tensor {expected}", name);
        }
    }
}

using GpuVae.Kernels.Benchmarks;
using GpuVae.Kernels.Operations;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace GpuVae.Kernels.Ilgpu;

/// <summary>
/// Our kernels on one ILGPU accelerator (CUDA, OpenCL or ILGPU's CPU accelerator). Owns the
/// context and the accelerator and loads every kernel once at construction; arguments are
/// checked once, in <see cref="Backend"/>. On CUDA it may have siblings (<see cref="TryCreateSibling"/>)
/// that share its accelerator and kernels, each queuing on a stream of its own. Not
/// thread-safe: one caller for a backend and all its siblings.
/// </summary>
internal sealed class IlgpuBackend : Backend
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
    private readonly ElementwiseMap.Launcher maps;
    private readonly Losses.Launcher losses;
    private readonly ImportanceWeighting.Launcher importance;
    private readonly Adam.Launcher adam;
    private readonly KernelChoice<GemmVariant> gemmChoice;
    private readonly KernelChoice<ReductionVariant> reductionChoice;

    // CUDA only: the stream every launch goes to instead of the legacy NULL stream, which cannot be captured.
    private readonly CudaStream? captureStream;
    private readonly string? noCaptureReason;
    // A sibling's: the backend that owns the context and the accelerator, which the sibling must not dispose.
    private readonly IlgpuBackend? owner;

    /// <summary>Takes ownership of both: disposing the backend disposes the accelerator, then the context.</summary>
    public IlgpuBackend(Context context, Accelerator accelerator, string kind)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(accelerator);
        this.context = context;
        this.accelerator = accelerator;
        Kind = kind;
        if (accelerator is CudaAccelerator cuda)
        {
            captureStream = CudaGraphCapture.UseCapturableStream(cuda, out noCaptureReason);
        }

        memory = new Memory.Launcher(accelerator);
        gemm = new Gemm.Launcher(accelerator);
        bias = new Bias.Launcher(accelerator);
        reductions = new Reductions.Launcher(accelerator);
        activations = new Activations.Launcher(accelerator);
        epilogues = new Epilogues.Launcher(accelerator);
        sampling = new Sampling.Launcher(accelerator);
        maps = new ElementwiseMap.Launcher(accelerator);
        losses = new Losses.Launcher(accelerator);
        importance = new ImportanceWeighting.Launcher(accelerator);
        adam = new Adam.Launcher(accelerator);
        // On ILGPU's CPU accelerator barriers synchronize real threads: the kernels with
        // barriers are correct there but thousands of times slower, so only small checks run them.
        bool cpu = accelerator.AcceleratorType == AcceleratorType.CPU;
        var gemms = Enum.GetValues<GemmVariant>();
        // The naive kernel is the simple version to compare with, about 1 GFLOP/s there.
        var fastGemms = gemm.Usable.Where(v => !(cpu && v == GemmVariant.Naive)).ToList();
        gemmChoice = new KernelChoice<GemmVariant>(
            OperationName.Gemm, [OperationName.Gemm], [gemm.Preferred, .. fastGemms.Where(v => v != gemm.Preferred)], cpu ? [.. gemms.Except(fastGemms)] : null);
        var preferredReduction = Reductions.PreferredOn(accelerator);
        var otherReductions = Enum.GetValues<ReductionVariant>().Where(v => v != preferredReduction).ToList();
        reductionChoice = new KernelChoice<ReductionVariant>(
            "reduction", [OperationName.SumColumns, OperationName.BceForward], cpu ? [preferredReduction] : [preferredReduction, .. otherReductions], cpu ? otherReductions : null);
    }

    /// <summary>A sibling of owner: the same accelerator and kernels, a stream of its own.</summary>
    private IlgpuBackend(IlgpuBackend owner, CudaStream stream)
    {
        this.owner = owner;
        context = owner.context;
        accelerator = owner.accelerator;
        Kind = owner.Kind;
        captureStream = stream;
        memory = owner.memory;
        // Its own: the split-K GEMM's scratch layers belong to the launcher, and two streams must not share them.
        gemm = new Gemm.Launcher(accelerator);
        bias = owner.bias;
        reductions = owner.reductions;
        activations = owner.activations;
        epilogues = owner.epilogues;
        sampling = owner.sampling;
        maps = owner.maps;
        losses = owner.losses;
        importance = owner.importance;
        adam = owner.adam;
        gemmChoice = owner.gemmChoice;
        reductionChoice = owner.reductionChoice;
    }

    public override string Kind { get; }

    public override string DeviceName => accelerator.Name;

    public Accelerator Accelerator => accelerator;

    /// <summary>A CUDA or OpenCL GPU's own formula; ILGPU's CPU accelerator and an OpenCL CPU run on the host's cores.</summary>
    public override double PeakGflops => accelerator switch
    {
        CudaAccelerator cuda => PeakEstimate.CudaGflops(cuda),
        CLAccelerator { DeviceType: CLDeviceType.CL_DEVICE_TYPE_GPU } openCl => PeakEstimate.OpenClGflops(openCl),
        _ => PeakEstimate.HostGflops(),
    };

    public override string PeakGflopsFormula => accelerator switch
    {
        CudaAccelerator cuda => PeakEstimate.CudaFormula(cuda),
        CLAccelerator { DeviceType: CLDeviceType.CL_DEVICE_TYPE_GPU } openCl => PeakEstimate.OpenClFormula(openCl),
        _ => PeakEstimate.HostFormula(),
    };

    /// <summary>
    /// Whether staging and read-back memory is page-locked, so that its copies are asynchronous
    /// and a graph can record them: on CUDA, and on the CPU accelerator, which checks that path;
    /// not on OpenCL, whose page-locking this project has not tried.
    /// </summary>
    private bool PageLocks => accelerator.AcceleratorType is AcceleratorType.Cuda or AcceleratorType.CPU;

    /// <summary>The GEMM kernels worth checking and timing here, and the sums' kernels (BCE, bias gradients).</summary>
    public override IReadOnlyList<IKernelChoice> Choices => [gemmChoice, reductionChoice];

    protected override Tensor AllocateCore(int rows, int cols)
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
                + $"(the device has {accelerator.MemorySize:N0} in all)",
                e);
        }

        var tensor = new DeviceTensor(buffer, rows, cols);
        QueueOnOwnStream();
        memory.Fill(tensor.View, 0, tensor.Length);
        return tensor;
    }

    /// <summary>One buffer, owned by the block's whole tensor; each part a view into it.</summary>
    protected override TensorBlock AllocateBlockCore(IReadOnlyList<(int Rows, int Cols)> shapes)
    {
        int length = shapes.Sum(shape => shape.Rows * shape.Cols);
        var whole = (DeviceTensor)Allocate(1, length);
        var parts = new List<Tensor>(shapes.Count);
        long offset = 0;
        foreach (var (rows, cols) in shapes)
        {
            parts.Add(new DeviceTensor(accelerator, whole.View.SubView(offset, (long)rows * cols), rows, cols));
            offset += (long)rows * cols;
        }

        return new TensorBlock(parts, whole);
    }

    /// <summary>
    /// A backend on this accelerator whose work goes to a stream of its own, so that its queued
    /// work and its captured graphs run beside this one's (several models trained at once); it
    /// shares the kernels and disposes only what is its own, before this backend is disposed.
    /// CUDA only; false with the reason elsewhere. Written against ILGPU 1.5.3's source, not yet run on a GPU.
    /// </summary>
    internal bool TryCreateSibling(out IlgpuBackend? sibling, out string reason)
    {
        sibling = null;
        if (owner is not null)
        {
            return owner.TryCreateSibling(out sibling, out reason);
        }

        if (captureStream is null)
        {
            reason = noCaptureReason ?? $"the {Kind} accelerator runs its work in the order it is queued, on one stream";
            return false;
        }

        sibling = new IlgpuBackend(this, (CudaStream)accelerator.CreateStream());
        reason = string.Empty;
        return true;
    }

    /// <summary>Waits for the whole device, siblings' streams included: the one wait of a step taken on every sibling at once.</summary>
    public override void Synchronize() => accelerator.Synchronize();

    protected override void UploadCore(Tensor destination, ReadOnlySpan<float> source) => View(destination).AsContiguous().CopyFromCPU(source);

    protected override void DownloadCore(Tensor source, Span<float> destination) => View(source).AsContiguous().CopyToCPU(destination);

    protected override void FillCore(Tensor y, float value) => memory.Fill(View(y), value, y.Length);

    protected override void CopyCore(Tensor y, Tensor x) => memory.Copy(View(y), View(x), y.Length);

    protected override StepValues AllocateStepValuesCore(int rowCapacity)
    {
        // The new values are zeroed on the default stream.
        QueueOnOwnStream();
        return new DeviceStepValues(accelerator, rowCapacity, PageLocks);
    }

    protected override Readback AllocateReadbackCore(int length) => new DeviceReadback(accelerator, length, PageLocks);

    protected override void UploadStepValuesCore(StepValues values) => ((DeviceStepValues)values).Upload(OwnStream);

    protected override void CopyToReadbackCore(Readback destination, Tensor source) =>
        ((DeviceReadback)destination).CopyFrom(OwnStream, View(source));

    protected override bool TryCaptureCore(Action enqueue, out CapturedWork? work, out string reason)
    {
        if (captureStream is null)
        {
            if (noCaptureReason is null)
            {
                return base.TryCaptureCore(enqueue, out work, out reason);
            }

            work = null;
            reason = noCaptureReason;
            return false;
        }

        QueueOnOwnStream();
        return CudaGraphCapture.TryCapture((CudaAccelerator)accelerator, captureStream, enqueue, out work, out reason);
    }

    protected override void GatherRowsCore(Tensor y, Tensor x, StepValues rows) =>
        memory.GatherRows(View(y), View(x), Values(rows), rows.RowCount, x.Cols);

    protected override void GemmCore(Tensor c, Tensor a, bool transposeA, Tensor b, bool transposeB, float alpha, float beta, int m, int n, int k) =>
        gemm.Run(gemmChoice.Current, View(c), View(a), transposeA, View(b), transposeB, alpha, beta, m, n, k);

    protected override void AddBiasCore(Tensor y, Tensor bias)
    {
        this.bias.Add(View(y), View(bias), y.Rows, y.Cols);
    }

    protected override void SumColumnsCore(Tensor sums, Tensor x, float alpha) =>
        reductions.SumColumns(reductionChoice.Current, View(sums), View(x), alpha, x.Rows, x.Cols);

    protected override void BiasActivationForwardCore(Activation activation, Tensor y, Tensor x, Tensor bias)
    {
        epilogues.Forward(activation, View(y), View(x), View(bias), x.Rows, x.Cols);
    }

    protected override void BiasActivationDropoutForwardCore(
        Activation activation, Tensor dropped, Tensor y, Tensor x, Tensor bias, float keepProbability, ulong seed, RandomStream stream)
    {
        epilogues.DropoutForward(activation, View(dropped), View(y), View(x), View(bias), keepProbability, seed, Values(stream.Values), stream.Slot, x.Rows, x.Cols);
    }

    protected override void ActivationBackwardCore(Activation activation, Tensor dx, Tensor dy, Tensor x, Tensor y)
    {
        activations.Backward(activation, View(dx), View(dy), View(x), View(y), dx.Length);
    }

    protected override void DropoutActivationBackwardCore(
        Activation activation, Tensor dx, Tensor dy, Tensor x, Tensor y, float keepProbability, ulong seed, RandomStream stream)
    {
        epilogues.DropoutBackward(activation, View(dx), View(dy), View(x), View(y), keepProbability, seed, Values(stream.Values), stream.Slot, dx.Length);
    }

    protected override void GaussianHeadCore(Tensor mu, Tensor sigma, Tensor h)
    {
        sampling.GaussianHead(View(mu), View(sigma), View(h), mu.Rows, mu.Cols);
    }

    protected override void GaussianHeadBackwardCore(Tensor dh, Tensor dMu, Tensor dSigma, Tensor h)
    {
        sampling.GaussianHeadBackward(View(dh), View(dMu), View(dSigma), View(h), dMu.Rows, dMu.Cols);
    }

    protected override void ReparameterizeCore(Tensor z, Tensor eps, Tensor mu, Tensor sigma, ulong seed, RandomStream stream)
    {
        sampling.Reparameterize(View(z), View(eps), View(mu), View(sigma), seed, Values(stream.Values), stream.Slot, z.Length);
    }

    protected override void ReparameterizeBackwardCore(Tensor dMu, Tensor dSigma, Tensor dz, Tensor eps)
    {
        sampling.ReparameterizeBackward(View(dMu), View(dSigma), View(dz), View(eps), dMu.Length);
    }

    private protected override void MapCore<TMap>(TMap map, Tensor y, Tensor x, RandomStream stream) =>
        maps.Run(map, View(y), View(x), Values(stream.Values), stream.Slot, y.Length);

    protected override void BinaryCrossEntropyCore(Tensor loss, Tensor p, Tensor target) =>
        losses.BinaryCrossEntropy(reductionChoice.Current, View(loss), View(p), View(target), p.Rows, p.Cols);

    protected override void BinaryCrossEntropyBackwardCore(Tensor dLogits, Tensor p, Tensor target, float scale)
    {
        losses.BinaryCrossEntropyBackward(View(dLogits), View(p), View(target), scale, dLogits.Length);
    }

    protected override void KlDivergenceCore(Tensor kl, Tensor mu, Tensor sigma)
    {
        losses.KlDivergence(View(kl), View(mu), View(sigma), mu.Rows, mu.Cols);
    }

    protected override void KlDivergenceBackwardCore(Tensor dMu, Tensor dSigma, Tensor mu, Tensor sigma, float scale)
    {
        losses.KlDivergenceBackward(View(dMu), View(dSigma), View(mu), View(sigma), scale, dMu.Length);
    }

    protected override void LogPriorOverPosteriorCore(Tensor logWeight, Tensor z, Tensor eps, Tensor sigma)
    {
        importance.LogPriorOverPosterior(View(logWeight), View(z), View(eps), View(sigma), z.Rows, z.Cols);
    }

    protected override void ImportanceWeightsCore(Tensor weights, Tensor loss, Tensor bce, Tensor logPriorOverPosterior, int samples)
    {
        importance.ImportanceWeights(View(weights), View(loss), View(bce), View(logPriorOverPosterior), loss.Rows, samples);
    }

    protected override void ScaleRowsCore(Tensor y, Tensor weights)
    {
        importance.ScaleRows(View(y), View(weights), y.Rows, y.Cols);
    }

    protected override void LogPriorOverPosteriorBackwardCore(Tensor dMu, Tensor dSigma, Tensor z, Tensor eps, Tensor sigma, Tensor weights, float scale)
    {
        importance.LogPriorOverPosteriorBackward(View(dMu), View(dSigma), View(z), View(eps), View(sigma), View(weights), scale, z.Rows, z.Cols);
    }

    protected override void AdamUpdateCore(TensorBlock parameters, TensorBlock m, TensorBlock v, TensorBlock gradients, StepValues step)
    {
        adam.Update(View(Whole(parameters)), View(Whole(m)), View(Whole(v)), View(Whole(gradients)), Values(step), parameters.Length);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && owner is not null)
        {
            // The accelerator may still name this stream its default: the owner's takes over before it goes.
            accelerator.Synchronize();
            owner.QueueOnOwnStream();
            captureStream!.Dispose();
            gemm.Dispose();
        }
        else if (disposing)
        {
            gemm.Dispose();
            accelerator.Dispose();
            context.Dispose();
        }
    }

    private static Tensor Whole(TensorBlock block) =>
        block.Whole ?? throw new ArgumentException("a block of separate tensors from another backend was passed to an ILGPU backend");

    /// <summary>This backend's stream: its own on CUDA, elsewhere the accelerator's one.</summary>
    private AcceleratorStream OwnStream => captureStream ?? accelerator.DefaultStream;

    /// <summary>
    /// Every operation takes its tensors' views before it queues anything: so here each makes
    /// this backend's stream the accelerator's default, where siblings share it.
    /// </summary>
    private ArrayView1D<float, Stride1D.Dense> View(Tensor tensor)
    {
        QueueOnOwnStream();
        return tensor is DeviceTensor device && device.Accelerator == accelerator
            ? device.View
            : throw new ArgumentException($"a {tensor.GetType().Name} {tensor} from another backend was passed to the {Kind} backend");
    }

    /// <summary>
    /// ILGPU's launchers and copies queue on the accelerator's default stream as it is when they
    /// are called: with siblings sharing the accelerator, it must be this backend's.
    /// </summary>
    private void QueueOnOwnStream()
    {
        if (captureStream is not null && !ReferenceEquals(accelerator.DefaultStream, captureStream))
        {
            CudaGraphCapture.UseStream(accelerator, captureStream);
        }
    }

    private static ArrayView1D<int, Stride1D.Dense> Values(StepValues values) =>
        values is DeviceStepValues device
            ? device.View
            : throw new ArgumentException($"a {values.GetType().Name} from another backend was passed to an ILGPU backend");
}

using GpuVae.Kernels.Benchmarks;
using GpuVae.Kernels.Operations;

namespace GpuVae.Kernels.Host;

/// <summary>
/// Plain .NET on the CPU, no ILGPU: the way to train without a GPU. The hot operations
/// (GEMM, the fused bias-activation-dropout epilogues, bias, BCE and its gradient, Adam, copy) are SIMD and
/// multi-core (<see cref="HostGemm"/>, <see cref="HostElementwise"/>, <see cref="HostPhilox"/>),
/// the maps run through <see cref="ElementwiseMap"/>, and the rest are their families'
/// references: for those, a test of the host against the reference would test nothing, so
/// the kernel cases leave the host out there (<see cref="RunsReference"/>).
/// </summary>
internal sealed class HostBackend : Backend
{
    private readonly KernelChoice<HostGemmIsa> gemm = new(
        OperationName.Gemm, [OperationName.Gemm], [.. Enum.GetValues<HostGemmIsa>().Where(isa => isa <= HostGemm.BestIsa).Reverse()]);

    private readonly KernelChoice<HostPhiloxIsa> philox = new(
        "philox", [OperationName.BiasActivationDropoutForward], [.. Enum.GetValues<HostPhiloxIsa>().Where(HostPhilox.IsSupported).Reverse()]);

    /// <summary>The operations this backend runs with their families' references, listed beside their Core members below.</summary>
    private static readonly HashSet<string> ReferenceOperations =
    [
        OperationName.Fill, OperationName.GatherRows, OperationName.GaussianHead, OperationName.GaussianHeadBackward,
        OperationName.Reparameterize, OperationName.ReparameterizeBackward, OperationName.KlForward, OperationName.KlBackward,
        OperationName.LogPriorOverPosterior, OperationName.LogPriorOverPosteriorBackward, OperationName.ImportanceWeights, OperationName.ScaleRows,
    ];

    public override string Kind { get; } = BackendFactory.Name(BackendKind.Host);

    public override string DeviceName => $"{Environment.ProcessorCount}-core host CPU ({System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture})";

    /// <summary>ILGPU's CPU accelerator reports no clock or width either, so both CPU backends use the host's.</summary>
    public override double PeakGflops => PeakEstimate.HostGflops();

    public override string PeakGflopsFormula => PeakEstimate.HostFormula();

    public override bool RunsReference(string operation) => ReferenceOperations.Contains(operation);

    /// <summary>The micro-kernel width of GEMM and the Philox generator of the dropout epilogue.</summary>
    public override IReadOnlyList<IKernelChoice> Choices => [gemm, philox];

    public override void Synchronize()
    {
    }

    protected override Tensor AllocateCore(int rows, int cols) => new HostTensor(rows, cols);

    /// <summary>Separate arrays: host kernels index from 0, and a host launch costs nothing to save.</summary>
    protected override TensorBlock AllocateBlockCore(IReadOnlyList<(int Rows, int Cols)> shapes) =>
        new([.. shapes.Select(shape => Allocate(shape.Rows, shape.Cols))], whole: null);

    protected override void UploadCore(Tensor destination, ReadOnlySpan<float> source) => source.CopyTo(Data(destination));

    protected override Tensor UploadSharedCore(float[] values, int rows, int cols) => new HostTensor(values, rows, cols);

    protected override void DownloadCore(Tensor source, Span<float> destination) => Data(source).AsSpan(0, source.Length).CopyTo(destination);

    protected override void FillCore(Tensor y, float value) => Memory.FillReference(Data(y), value, y.Length);

    protected override void CopyCore(Tensor y, Tensor x) => HostElementwise.Copy(Data(y), Data(x), y.Length);

    protected override StepValues AllocateStepValuesCore(int rowCapacity) => new HostStepValues(rowCapacity);

    protected override Readback AllocateReadbackCore(int length) => new HostReadback(length);

    /// <summary>The host's kernels read the staged words themselves: nothing to copy.</summary>
    protected override void UploadStepValuesCore(StepValues values)
    {
    }

    protected override void CopyToReadbackCore(Readback destination, Tensor source) => Data(source).CopyTo(((HostReadback)destination).Data, 0);

    protected override void GatherRowsCore(Tensor y, Tensor x, StepValues rows) => Memory.GatherRowsReference(Data(y), Data(x), rows.Rows, x.Cols);

    protected override void GemmCore(Tensor c, Tensor a, bool transposeA, Tensor b, bool transposeB, float alpha, float beta, int m, int n, int k) =>
        HostGemm.Multiply(gemm.Current, Data(c), Data(a), transposeA, Data(b), transposeB, alpha, beta, m, n, k);

    protected override void AddBiasCore(Tensor y, Tensor bias) => HostElementwise.AddBias(Data(y), Data(bias), y.Rows, y.Cols);

    protected override void SumColumnsCore(Tensor sums, Tensor x, float alpha) => HostElementwise.SumColumns(Data(sums), Data(x), alpha, x.Rows, x.Cols);

    protected override void BiasActivationForwardCore(Activation activation, Tensor y, Tensor x, Tensor bias) =>
        HostElementwise.BiasActivation(activation, Data(y), Data(x), Data(bias), x.Rows, x.Cols);

    protected override void BiasActivationDropoutForwardCore(
        Activation activation, Tensor dropped, Tensor y, Tensor x, Tensor bias, float keepProbability, ulong seed, RandomStream stream) =>
        HostElementwise.BiasActivationDropout(philox.Current, activation, Data(dropped), Data(y), Data(x), Data(bias), keepProbability, seed, stream.Value, x.Rows, x.Cols);

    protected override void ActivationBackwardCore(Activation activation, Tensor dx, Tensor dy, Tensor x, Tensor y) =>
        HostElementwise.ActivationBackward(activation, Data(dx), Data(dy), Data(x), Data(y), dx.Length);

    protected override void DropoutActivationBackwardCore(
        Activation activation, Tensor dx, Tensor dy, Tensor x, Tensor y, float keepProbability, ulong seed, RandomStream stream) =>
        HostElementwise.DropoutActivationBackward(activation, Data(dx), Data(dy), Data(x), Data(y), keepProbability, seed, stream.Value, dx.Length);

    protected override void GaussianHeadCore(Tensor mu, Tensor sigma, Tensor h) =>
        Sampling.GaussianHeadReference(Data(mu), Data(sigma), Data(h), mu.Rows, mu.Cols);

    protected override void GaussianHeadBackwardCore(Tensor dh, Tensor dMu, Tensor dSigma, Tensor h) =>
        Sampling.GaussianHeadBackwardReference(Data(dh), Data(dMu), Data(dSigma), Data(h), dMu.Rows, dMu.Cols);

    protected override void ReparameterizeCore(Tensor z, Tensor eps, Tensor mu, Tensor sigma, ulong seed, RandomStream stream) =>
        Sampling.ReparameterizeReference(Data(z), Data(eps), Data(mu), Data(sigma), seed, stream.Value, z.Length);

    protected override void ReparameterizeBackwardCore(Tensor dMu, Tensor dSigma, Tensor dz, Tensor eps) =>
        Sampling.ReparameterizeBackwardReference(Data(dMu), Data(dSigma), Data(dz), Data(eps), dMu.Length);

    private protected override void MapCore<TMap>(TMap map, Tensor y, Tensor x, RandomStream stream) => ElementwiseMap.Host(map, Data(y), Data(x), stream.Value, y.Length);

    protected override void BinaryCrossEntropyCore(Tensor loss, Tensor p, Tensor target) =>
        HostElementwise.BinaryCrossEntropy(Data(loss), Data(p), Data(target), p.Rows, p.Cols);

    protected override void BinaryCrossEntropyBackwardCore(Tensor dLogits, Tensor p, Tensor target, float scale) =>
        HostElementwise.BinaryCrossEntropyBackward(Data(dLogits), Data(p), Data(target), scale, dLogits.Length);

    protected override void KlDivergenceCore(Tensor kl, Tensor mu, Tensor sigma) =>
        Losses.KlDivergenceReference(Data(kl), Data(mu), Data(sigma), mu.Rows, mu.Cols);

    protected override void KlDivergenceBackwardCore(Tensor dMu, Tensor dSigma, Tensor mu, Tensor sigma, float scale) =>
        Losses.KlDivergenceBackwardReference(Data(dMu), Data(dSigma), Data(mu), Data(sigma), scale, dMu.Length);

    protected override void LogPriorOverPosteriorCore(Tensor logWeight, Tensor z, Tensor eps, Tensor sigma) =>
        ImportanceWeighting.LogPriorOverPosteriorReference(Data(logWeight), Data(z), Data(eps), Data(sigma), z.Rows, z.Cols);

    protected override void ImportanceWeightsCore(Tensor weights, Tensor loss, Tensor bce, Tensor logPriorOverPosterior, int samples) =>
        ImportanceWeighting.ImportanceWeightsReference(Data(weights), Data(loss), Data(bce), Data(logPriorOverPosterior), loss.Rows, samples);

    protected override void ScaleRowsCore(Tensor y, Tensor weights) =>
        ImportanceWeighting.ScaleRowsReference(Data(y), Data(weights), y.Rows, y.Cols);

    protected override void LogPriorOverPosteriorBackwardCore(Tensor dMu, Tensor dSigma, Tensor z, Tensor eps, Tensor sigma, Tensor weights, float scale) =>
        ImportanceWeighting.LogPriorOverPosteriorBackwardReference(Data(dMu), Data(dSigma), Data(z), Data(eps), Data(sigma), Data(weights), scale, z.Rows, z.Cols);

    protected override void AdamUpdateCore(TensorBlock parameters, TensorBlock m, TensorBlock v, TensorBlock gradients, StepValues step)
    {
        for (int i = 0; i < parameters.Parts.Count; i++)
        {
            HostElementwise.AdamUpdate(
                Data(parameters.Parts[i]), Data(m.Parts[i]), Data(v.Parts[i]), Data(gradients.Parts[i]), step, parameters.Parts[i].Length);
        }
    }

    private static float[] Data(Tensor tensor) =>
        tensor is HostTensor host ? host.Data : throw new ArgumentException($"a {tensor.GetType().Name} {tensor} was passed to the host backend");
}

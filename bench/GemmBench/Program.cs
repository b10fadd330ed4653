using System.Diagnostics;
using System.Globalization;
using GpuVae.Kernels;
using GpuVae.Kernels.Host;
using GpuVae.Kernels.Verification;
using GpuVae.Model.Network;
using GpuVae.Model.Training;

// Times HostGemm at the training step's shapes and prints `shape | op | ms | GFLOP/s`.
// Usage: GemmBench [--isa Vector128|Vector256|Vector512] [--dim Z] [--seconds S]
// Thread count: HostGemm uses Environment.ProcessorCount, so DOTNET_PROCESSOR_COUNT=1 gives one thread.
var isa = HostGemm.BestIsa;
int dim = 20;
double secondsPerShape = 0.3;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--isa": isa = Enum.Parse<HostGemmIsa>(args[i + 1]); break;
        case "--dim": dim = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--seconds": secondsPerShape = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        default: throw new ArgumentException($"unknown option {args[i]}");
    }
}

// The GEMMs of one training step, as the model states them (forward NN, input gradients NT,
// weight gradients TN), each distinct shape once.
var shapes = TrainingStep.Gemms(new VaeConfig(dim), batch: 128)
    .Select(g => (Op: $"{(g.TransposeA ? 'T' : 'N')}{(g.TransposeB ? 'T' : 'N')}", g.M, g.N, g.K))
    .Distinct()
    .ToList();

// Validate before timing, on the kernel cases every check runs: a fast wrong answer is no result.
using (var backend = new HostBackend())
using (backend.Choices.Single(choice => choice.Name == "gemm").Select(isa.ToString()))
{
    var failures = KernelCheck.Run(backend, seed: 1234, ["gemm"]).Where(row => !row.Pass).ToList();
    if (failures.Count > 0)
    {
        throw new InvalidOperationException($"HostGemm {isa} fails {failures.Count} GEMM cases, first {failures[0]}");
    }
}

Console.WriteLine($"# HostGemm {isa}, {Environment.ProcessorCount} thread(s), Z = {dim}, median of repeats over {secondsPerShape} s per shape");
Console.WriteLine($"{"shape",-14} | {"op",-2} | {"ms",9} | {"GFLOP/s",8}");
var random = new Random(1234);
foreach (var (op, m, n, k) in shapes)
{
    bool transposeA = op[0] == 'T', transposeB = op[1] == 'T';
    float[] a = RandomMatrix(random, m * k), b = RandomMatrix(random, k * n), c = new float[m * n];

    // Warm-up: enough calls for the JIT to reach tier 1 and for the thread pool to spin up.
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < 50 || clock.Elapsed.TotalSeconds < 0.1; i++)
    {
        HostGemm.Multiply(isa, c, a, transposeA, b, transposeB, 1, 0, m, n, k);
    }

    var times = new List<double>();
    clock.Restart();
    while (times.Count < 20 || clock.Elapsed.TotalSeconds < secondsPerShape)
    {
        long start = Stopwatch.GetTimestamp();
        HostGemm.Multiply(isa, c, a, transposeA, b, transposeB, 1, 0, m, n, k);
        times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }

    times.Sort();
    double ms = times[times.Count / 2];

    // One multiply and one add per (row, col, k): 2 M N K FLOPs.
    double gflops = 2.0 * m * n * k / (ms * 1e6);
    Console.WriteLine($"{$"{m}x{n}x{k}",-14} | {op,-2} | {ms,9:F4} | {gflops,8:F1}");
}

static float[] RandomMatrix(Random random, int length)
{
    var x = new float[length];
    for (int i = 0; i < length; i++)
    {
        x[i] = (float)((random.NextDouble() * 2) - 1);
    }

    return x;
}

using System.Diagnostics;
using System.Globalization;
using GpuVae.Kernels;
using GpuVae.Kernels.Host;

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

const int B = 128, D = 784, H = 500;
int z = dim;

// (op, m, n, k): the GEMMs of one training step of the D-H-2Z / Z-H-D VAE, forward NN,
// backward NT (dx = dy W^T) and TN (dW = x^T dy).
(string Op, int M, int N, int K)[] shapes =
[
    ("NN", B, H, D), ("NN", B, H, H), ("NN", B, 2 * z, H), ("NN", B, H, z), ("NN", B, D, H),
    ("NT", B, D, H), ("NT", B, H, H), ("NT", B, z, H),
    ("TN", D, H, B), ("TN", H, H, B), ("TN", H, 2 * z, B), ("TN", z, H, B), ("TN", H, D, B),
];

Console.WriteLine($"# HostGemm {isa}, {Environment.ProcessorCount} thread(s), Z = {z}, median of repeats over {secondsPerShape} s per shape");
Console.WriteLine($"{"shape",-14} | {"op",-2} | {"ms",9} | {"GFLOP/s",8}");
var random = new Random(1234);
foreach (var (op, m, n, k) in shapes)
{
    bool transposeA = op[0] == 'T', transposeB = op[1] == 'T';
    float[] a = RandomMatrix(random, m * k), b = RandomMatrix(random, k * n), c = new float[m * n];
    Validate(isa, a, transposeA, b, transposeB, m, n, k);

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

// Validate before timing: a fast wrong answer is no result. The bound is the tests' own.
static void Validate(HostGemmIsa isa, float[] a, bool transposeA, float[] b, bool transposeB, int m, int n, int k)
{
    float[] expected = new float[m * n], actual = new float[m * n];
    Gemm.Reference(expected, a, transposeA, b, transposeB, 1, 0, m, n, k);
    HostGemm.Multiply(isa, actual, a, transposeA, b, transposeB, 1, 0, m, n, k);
    for (int i = 0; i < expected.Length; i++)
    {
        // The unit tests' tolerance (tests/Host/HostGemmTests.cs, Atol + Rtol * |ref|): float32
        // accumulation of up to 784 products of values in [-1, 1] against a float64 reference.
        double bound = 1e-4 + (1e-6 * Math.Abs(expected[i]));
        if (!(Math.Abs(actual[i] - expected[i]) <= bound))
        {
            throw new InvalidOperationException($"{m}x{n}x{k}: c[{i}] = {actual[i]}, expected {expected[i]}");
        }
    }
}

using System.CommandLine;
using System.Text.Json;
using GpuVae.App.Options;
using GpuVae.Kernels;
using GpuVae.Kernels.Benchmarks;
using GpuVae.Kernels.Verification;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;
using GpuVae.Model.Training;

namespace GpuVae.App.Commands;

/// <summary>
/// `GpuVae bench`: checks every kernel against the host reference, then times the training
/// step's GEMMs, every other operation of the table of kernel cases and whole steps at the
/// model's shapes.
/// </summary>
public static class BenchCommand
{
    /// <summary>Warm steps the per-operation profile averages over.</summary>
    private const int ProfileSteps = 20;

    /// <summary>The TensorFlow original's batch, which every timed step and kernel uses.</summary>
    private const int Batch = 128;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The whole step timed with each GEMM kernel the backend can pick: what choosing that kernel would buy training.</summary>
    private static List<(string Variant, StepBenchmark.Result Step)> StepPerGemmKernel(Backend backend, int latent, int repeats)
    {
        var results = new List<(string, StepBenchmark.Result)>();
        if (backend.Choices.FirstOrDefault(choice => choice.Name == "gemm") is not { } gemm)
        {
            return results;
        }

        foreach (string kernel in gemm.Kernels.Where(kernel => kernel != nameof(GemmVariant.Naive) && !gemm.IsSlow(kernel)))
        {
            using (gemm.Select(kernel))
            {
                var step = StepBenchmark.Run(backend, new VaeConfig(latent), Batch, warmups: 3, repeats: repeats, seed: 3);
                Console.WriteLine($"training step, dim {latent}, GEMM {kernel}: {step.Milliseconds:F3} ms, {step.ImagesPerSecond:F0} images/s");
                results.Add((kernel, step));
            }
        }

        return results;
    }

    /// <summary>Our GEMM beside cuBLAS at each of the step's shapes, and summed; one line where cuBLAS did not run.</summary>
    private static void PrintCuBlas(CuBlasBenchmark.Result cuBlas, int repeats)
    {
        if (cuBlas.Worst is not { } worst)
        {
            Console.WriteLine($"cuBLAS beside our GEMM: skipped, {cuBlas.Skipped}");
            return;
        }

        Console.WriteLine(
            $"our GEMM (the kernel training runs) beside cuBLAS {cuBlas.Version} Sgemm in this process, on the same buffers and stream, " +
            $"alternating: b2b ms per call, {KernelBenchmark.LaunchesPerSync} queued back to back, median of {repeats}; cuBLAS/ours above 1 means ours is faster");
        int width = cuBlas.Shapes.Max(shape => shape.Gemm.Name.Length);
        Console.WriteLine($"{"gemm".PadRight(width)} {"layer",-16} {"ours ms",9} {"cuBLAS ms",9} {"cuBLAS/ours",11} {"max diff",9}");
        foreach (var shape in cuBlas.Shapes)
        {
            string agrees = shape.Agrees ? string.Empty : $"  DISAGREES (tolerance {cuBlas.Tolerance.MaxError:G2})";
            Console.WriteLine(
                $"{shape.Gemm.Name.PadRight(width)} {shape.Gemm.Layer,-16} {shape.OursMilliseconds,9:F4} {shape.CuBlasMilliseconds,9:F4} {shape.Ratio,11:F2} {shape.MaxError,9:G2}{agrees}");
        }

        Console.WriteLine(
            $"{$"all {cuBlas.Shapes.Count} shapes, summed".PadRight(width + 17)} {cuBlas.OursMilliseconds,9:F4} {cuBlas.CuBlasMilliseconds,9:F4} {cuBlas.Ratio,11:F2} " +
            $"(worst shape {worst.Ratio:F2}: {worst.Gemm.Layer} {worst.Gemm.Name})");
        int disagreeing = cuBlas.Shapes.Count(shape => !shape.Agrees);
        if (disagreeing > 0)
        {
            Console.Error.WriteLine($"cuBLAS and our GEMM disagree beyond {cuBlas.Tolerance.MaxError:G2} at {disagreeing} of {cuBlas.Shapes.Count} shapes: their ratios compare different results");
        }
    }

    /// <summary>What the JSON says of cuBLAS: the shapes and sums, or why it did not run.</summary>
    private static object CuBlasJson(CuBlasBenchmark.Result cuBlas) => cuBlas.Worst is { } worst
        ? new
        {
            cuBlas.Version,
            Tolerance = cuBlas.Tolerance.MaxError,
            Shapes = cuBlas.Shapes.Select(s => new
            {
                s.Gemm.Name, s.Gemm.Layer, s.Gemm.M, s.Gemm.N, s.Gemm.K, OursMs = s.OursMilliseconds, CublasMs = s.CuBlasMilliseconds, s.Ratio,
                // JSON has no infinity: null where either wrote NaN.
                MaxError = double.IsFinite(s.MaxError) ? s.MaxError : (double?)null,
                s.Agrees,
            }),
            OursMs = cuBlas.OursMilliseconds,
            CublasMs = cuBlas.CuBlasMilliseconds,
            cuBlas.Ratio,
            WorstRatio = worst.Ratio,
            Agrees = cuBlas.Shapes.All(s => s.Agrees),
        }
        : new { cuBlas.Skipped };

    public static Command Create()
    {
        var device = new DeviceOptions();
        var dims = new DimsOption("Latent dimensions whose whole training step is timed (the first also for the kernels and the profile)", "20,2");
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats per kernel (the median is reported)", DefaultValueFactory = _ => 30 };
        var json = new Option<string?>("--json") { Description = "Also write the numbers to this JSON file" };
        var variants = new Option<bool>("--variants")
        {
            Description = "Also time every other kernel the backend can pick (GEMM tilings, reduction kernels, SIMD widths) at every shape, and the step with each GEMM kernel",
        };
        var command = new Command("bench", "Validate, then time the kernels and the training step at the model's shapes") { dims.Dims, repeats, json, variants };
        foreach (var option in device.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => CommandRunner.Run(_ =>
        {
            int repeatCount = parse.GetValue(repeats);
            if (repeatCount < 1)
            {
                throw new UsageException($"--repeats must be at least 1, got {repeatCount}");
            }

            var latents = dims.Read(parse);
            device.Read(parse);
            using var backend = device.Create(parse, Console.WriteLine);
            var failures = KernelCheck.Run(backend, seed: 1).Where(row => !row.Pass).ToList();
            if (failures.Count > 0)
            {
                foreach (var row in failures)
                {
                    Console.Error.WriteLine($"check failed: {row}");
                }

                throw new InvalidOperationException($"{failures.Count} kernels disagree with the host reference on {backend.Kind}; not timing them");
            }

            Console.WriteLine($"validated every kernel against the host reference on {backend.Kind}: {backend.DeviceName}");
            // The validation allocated hundreds of megabytes of inputs and references: collect them
            // now, so that no timing below pays for that garbage.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            double peak = backend.PeakGflops;
            var config = new VaeConfig(latents[0]);
            var stepGemms = TrainingStep.Gemms(config, Batch);
            var kernels = KernelBenchmark.Run(
                // The table's operations that run on a hidden layer at the first one's width: the widest of the original's layers with D.
                backend, stepGemms, Batch, config.Pixels, config.Layers.EncoderHidden[0].Outputs, warmups: 3, repeats: repeatCount, seed: 2, parse.GetValue(variants));
            Console.WriteLine($"ms: one call, launch to synchronize; b2b ms: per call, {KernelBenchmark.LaunchesPerSync} queued back to back, which GFLOP/s and GB/s are from");
            // As wide as the longest kernel name, and at least the 25 of bias_tanh_dropout_forward.
            int width = Math.Max(25, kernels.Max(k => k.Name.Length));
            Console.WriteLine($"{"kernel".PadRight(width)} {"variant",-16} {"layer",-16} {"shape",-16} {"ms",9} {"b2b ms",9} {"GFLOP/s",9} {"% peak",7} {"GB/s",8}");
            foreach (var k in kernels)
            {
                string shape = k.K > 0 ? $"{k.M}x{k.N}x{k.K}" : $"{k.M}x{k.N}";
                string percent = k.Gflops > 0 && peak > 0 ? $"{100 * k.Gflops / peak,7:F1}" : $"{string.Empty,7}";
                string gflops = k.Gflops > 0 ? $"{k.Gflops,9:F1}" : $"{string.Empty,9}";
                string gbps = k.GigabytesPerSecond > 0 ? $"{k.GigabytesPerSecond,8:F1}" : string.Empty;
                Console.WriteLine($"{k.Name.PadRight(width)} {k.Variant,-16} {k.Layer,-16} {shape,-16} {k.Milliseconds,9:F4} {k.BackToBackMilliseconds,9:F4} {gflops} {percent} {gbps}");
            }

            Console.WriteLine($"(% peak against {peak:F0} GFLOP/s, {backend.PeakGflopsFormula})");
            var cuBlas = CuBlasBenchmark.Run(backend, stepGemms, warmups: 3, repeats: repeatCount, seed: 2);
            PrintCuBlas(cuBlas, repeatCount);
            // Each dim's step captured as a CUDA graph where the backend can, and then op by op too, both
            // from this one run; where it cannot, the steps asked to capture ran op by op, and are that timing.
            var steps = new List<StepBenchmark.Result>();
            // The step's own peak: from here, past the check's and the kernel table's buffers, to the last timed step.
            bool peakRestarted = PeakWorkingSet.Restart();
            foreach (int dim in latents)
            {
                var graphed = StepBenchmark.Run(backend, new VaeConfig(dim), Batch, warmups: 3, repeats: repeatCount, seed: 3, captureGraph: true);
                if (graphed.Graph)
                {
                    steps.Add(StepBenchmark.Run(backend, new VaeConfig(dim), Batch, warmups: 3, repeats: repeatCount, seed: 3));
                }

                steps.Add(graphed);
            }

            long stepPeakBytes = PeakWorkingSet.Bytes();
            foreach (var step in steps)
            {
                string how = step.Graph ? "CUDA graph" : "op by op";
                Console.WriteLine($"training step, dim {step.Latent}, batch {step.Batch}, {how}: {step.Milliseconds:F3} ms (median; mean of {repeatCount} more {step.MeanMilliseconds:F3} ms), {step.ImagesPerSecond:F0} images/s, an epoch of 60,000 images in {step.EpochSeconds:F1} s, {step.AllocatedBytesPerStep:F0} bytes allocated per warm step");
            }

            string peakFrom = peakRestarted ? "while timing the steps" : "since the process started (this system cannot restart the mark)";
            Console.WriteLine($"peak working set {peakFrom}: {stepPeakBytes / 1e6:F0} MB");

            var variantSteps = parse.GetValue(variants) ? StepPerGemmKernel(backend, latents[0], repeatCount) : [];
            var profile = StepBenchmark.Profile(backend, config, Batch, ProfileSteps, seed: 3);
            Console.WriteLine($"where a dim-{latents[0]} step goes, each operation synchronized (so the sum exceeds the step), mean of {ProfileSteps} steps:");
            Console.WriteLine($"{"operation",-40} {"calls",6} {"ms/step",9} {"share",7}");
            double profiled = profile.Sum(row => row.MillisecondsPerStep);
            foreach (var row in profile)
            {
                Console.WriteLine($"{row.Operation,-40} {row.CallsPerStep,6} {row.MillisecondsPerStep,9:F4} {100 * row.MillisecondsPerStep / profiled,6:F1}%");
            }

            Console.WriteLine($"{"all, synchronized",-40} {profile.Sum(row => row.CallsPerStep),6} {profiled,9:F4}");

            // The fastest form of the first dim's step (a graph where there is one) against its floor.
            var firstStep = steps.Where(s => s.Latent == latents[0]).MinBy(s => s.Milliseconds)!;
            double bandwidth = MemoryBandwidth.GigabytesPerSecond(backend);
            var floor = StepFloor.Of(kernels.Where(k => k.Operation == OperationName.Gemm && k.Variant == KernelBenchmark.DefaultVariant).Select(k => k.Milliseconds), profile, bandwidth);
            Console.WriteLine(
                $"floor of a dim-{latents[0]} step: its GEMMs timed alone {floor.GemmMilliseconds:F3} ms + the other operations' {floor.OtherBytes / 1e6:F1} MB at " +
                $"{bandwidth:F1} GB/s (memory bandwidth, a copy between two {MemoryBandwidth.Megabytes} MB tensors) {floor.OtherMilliseconds:F3} ms = {floor.Milliseconds:F3} ms; " +
                $"the step takes {firstStep.Milliseconds:F3} ms, {firstStep.Milliseconds / floor.Milliseconds:F2}x its floor");

            if (parse.GetValue(json) is { } path)
            {
                var report = new
                {
                    Accelerator = backend.Kind,
                    Device = backend.DeviceName,
                    PeakGflops = peak,
                    Kernels = kernels.Select(k => new { k.Name, k.Variant, k.Layer, k.M, k.N, k.K, Ms = k.Milliseconds, BackToBackMs = k.BackToBackMilliseconds, k.Gflops, Gbps = k.GigabytesPerSecond }),
                    Cublas = CuBlasJson(cuBlas),
                    Step = steps.Select(s => new { Dim = s.Latent, s.Batch, Ms = s.Milliseconds, MeanMs = s.MeanMilliseconds, s.ImagesPerSecond, s.EpochSeconds, s.Graph, s.AllocatedBytesPerStep }).First(),
                    Steps = steps.Select(s => new { Dim = s.Latent, s.Batch, Ms = s.Milliseconds, MeanMs = s.MeanMilliseconds, s.ImagesPerSecond, s.EpochSeconds, s.Graph, s.AllocatedBytesPerStep }),
                    Floor = new { Dim = latents[0], GemmMs = floor.GemmMilliseconds, OtherBytes = floor.OtherBytes, GigabytesPerSecond = bandwidth, OtherMs = floor.OtherMilliseconds, Ms = floor.Milliseconds, StepMs = firstStep.Milliseconds, StepOverFloor = firstStep.Milliseconds / floor.Milliseconds },
                    PeakWorkingSetBytes = stepPeakBytes,
                    PeakWorkingSetWhileTimingSteps = peakRestarted,
                    StepPerGemmVariant = variantSteps.Select(v => new { v.Variant, Dim = v.Step.Latent, Ms = v.Step.Milliseconds, v.Step.ImagesPerSecond }),
                    Profile = profile.Select(row => new { row.Operation, Calls = row.CallsPerStep, Ms = row.MillisecondsPerStep, Bytes = row.BytesPerStep }),
                };
                AtomicFile.WriteAllText(path, JsonSerializer.Serialize(report, JsonOptions));
                Console.WriteLine($"wrote {path}");
            }

            return CommandRunner.Success;
        }));
        return command;
    }
}

using GpuVae.Kernels.Operations;

namespace GpuVae.Kernels.Verification;

/// <summary>
/// The one table of kernel cases: every <see cref="Backend"/> operation at the shapes that
/// matter (1, odd, tile- and block-ragged, the model's own), its reference, and one tolerance
/// per operation with its reason, and the work one call does (<see cref="KernelWork"/>).
/// <c>GpuVae check</c>, <c>bench</c>'s validation and the tests' theories all enumerate it
/// through <see cref="KernelCheck"/>; <c>bench</c> times one case of each operation
/// (<see cref="Timed"/>).
/// </summary>
public static class KernelCases
{
    private static readonly KernelTolerance GemmTolerance = new(
        1e-4, "float32 sums of up to 784 products in [-1, 1] against float64: ~3e-5 of rounding on random signs (3.6e-5 the worst seen)");

    private static readonly KernelTolerance ColumnSumTolerance = new(
        1e-4, "float32 running sums of up to 500 values in [-1, 1] against float64 drift by about sqrt(R) * R * 2^-24 (6e-5 at R = 500)");

    private static readonly KernelTolerance RowSumTolerance = new(
        1e-4, "float32 per-row sums of up to 784 loss terms against float64 sums");

    private static readonly KernelTolerance TranscendentalTolerance = new(
        1e-5, "float32 exp, log and tanh against float64: a few ulp (1e-5 is about 80)");

    private static readonly KernelTolerance AdamTolerance = new(
        1e-5, "the update in float against double with the same bias corrections: a few ulp of each moment and parameter");

    private static readonly KernelTolerance NormalTolerance = new(
        1e-4, "Box-Muller in float: log and cos errors scaled by a radius up to 5.8, and GPUs may use approximate instructions for them");

    private static readonly KernelTolerance ImportanceWeightTolerance = new(
        1e-4, "log weights of a few hundred nats differenced in float: the exponent's rounding (about |bce| * 2^-24, 1e-5) becomes that relative error of a weight in [0, 1]; the bound itself is a few ulp of its size");

    private static readonly KernelTolerance ExactTolerance = new(
        1e-6, "copies, masks and single float operations done as the reference does them: a wrong element or mask bit shows up as an error near 1");

    /// <summary>
    /// (M, N, K): 1s, primes, shapes that are no multiple of the 16-wide tiles, the 8x8 blocks
    /// or the host's Mr = 6 / Nr = 16-32 / Kc = 256 / Mc = 144 / Nc = 1024 blocks (each crossed),
    /// one deep enough for split-K to sum three layers, the last ragged, and shallow ones whose
    /// B the host reads in place. Every one in all four transpose combinations.
    /// </summary>
    private static readonly (int M, int N, int K)[] GemmShapes =
    [
        (1, 1, 1), (7, 1, 33), (1, 33, 7), (33, 7, 1), (33, 7, 17), (17, 33, 40), (67, 70, 3), (7, 5, 300), (67, 131, 19), (33, 7, 300), (500, 33, 7),
        (7, 1, 500), (7, 33, 784), (33, 500, 784), (145, 49, 257), (300, 70, 130), (70, 300, 260), (6, 1100, 33), (130, 1100, 20),
    ];

    /// <summary>
    /// The shapes also run with the kernels a device runs correctly but slowly (barrier kernels
    /// on ILGPU's CPU accelerator: every barrier synchronizes 256 real threads, 5-10 s for a
    /// 500x33x7 GEMM on two busy cores): one element, ragged 16x16 tiles, several ragged 64x64
    /// tiles, and three ragged split-K layers of 128.
    /// </summary>
    private static readonly (int M, int N, int K)[] SlowKernelShapes = [(1, 1, 1), (33, 7, 17), (67, 70, 3), (7, 5, 300)];

    /// <summary>(rows, cols): 1, odd, more rows than columns, the batch by hidden and pixel widths, a ragged 32-column block.</summary>
    private static readonly (int Rows, int Cols)[] MatrixShapes = [(1, 1), (7, 33), (33, 7), (128, 500), (500, 1), (3, 784), (5, 1000)];

    /// <summary>
    /// Whether a matrix case is cheap enough for the slow kernels: the group reductions on ILGPU's
    /// CPU accelerator cost 9 barriers of 256 real threads a row, 30-40 ms, so a few rows.
    /// </summary>
    private static bool SmallMatrix(int rows, int cols) => rows <= 7 && rows * cols <= 5000;

    /// <summary>(rows, Z): one latent unit, odd, and the batch at Z = 100.</summary>
    private static readonly (int Rows, int Latent)[] LatentShapes = [(1, 1), (33, 7), (128, 100)];

    public static IReadOnlyList<KernelCase> All { get; } =
    [
        .. Gemms(), .. MemoryCases(), .. BiasCases(), .. EpilogueCases(), .. MapCases(), .. LossCases(), .. ImportanceCases(), .. SamplingCases(), .. AdamCases(),
    ];

    /// <summary>An operation's one tolerance, for tests that check a kernel outside the table (a launch grid, an edge case).</summary>
    public static KernelTolerance ToleranceOf(string operation) =>
        All.FirstOrDefault(c => c.Operation == operation)?.Tolerance ?? throw new ArgumentException($"no kernel cases for '{operation}'", nameof(operation));

    /// <summary>The operations the table covers, in table order.</summary>
    public static IReadOnlyList<string> Operations { get; } = [.. All.Select(c => c.Operation).Distinct()];

    /// <summary>
    /// The cases <c>bench</c> times, one an operation of the table: first those at the model's
    /// shapes (<see cref="AtModelShapes"/>), then every other operation at its case that moves
    /// the most bytes. A new row's operation is timed with no other edit. B batch, D pixels,
    /// H the widest hidden layer.
    /// </summary>
    public static IReadOnlyList<KernelCase> Timed(int batch, int pixels, int hidden)
    {
        var modelShaped = AtModelShapes(batch, pixels, hidden);
        return
        [
            .. modelShaped,
            .. Operations.Where(operation => modelShaped.All(c => c.Operation != operation))
                .Select(operation => All.Where(c => c.Operation == operation).MaxBy(c => c.Work.Bytes)!),
        ];
    }

    /// <summary>
    /// The operations that run on the model's own sizes, built at them: the hidden layers'
    /// epilogues at (B, H), each with the activation bench has always timed it with, the
    /// reconstruction's loss at (B, D), Adam over a (D, H) weight (in a step it runs once over a
    /// block of every parameter). The names are those bench has printed since before the table.
    /// </summary>
    private static IReadOnlyList<KernelCase> AtModelShapes(int batch, int pixels, int hidden) =>
    [
        BiasAddCase(batch, hidden),
        ForwardCase(Activation.Sigmoid, batch, hidden) with { TimingName = "bias_sigmoid_forward" },
        DropoutForwardCase(Activation.Tanh, batch, hidden) with { TimingName = "bias_tanh_dropout_forward" },
        BackwardCase(Activation.Elu, batch, hidden) with { TimingName = "elu_backward" },
        // Apart, so that the repeats read the same gradient (see DropoutBackwardCase).
        DropoutBackwardCase(Activation.Elu, batch, hidden, inPlace: false) with { TimingName = "dropout_elu_backward" },
        SumColumnsCase(batch, hidden) with { TimingName = "bias_gradient" },
        BceForwardCase(batch, pixels),
        BceBackwardCase(batch, pixels),
        AdamCase([(pixels, hidden)], 1),
    ];

    private static IEnumerable<KernelCase> Gemms()
    {
        var shapes = GemmShapes.SelectMany(s => new[] { (s.M, s.N, s.K, false, false), (s.M, s.N, s.K, false, true), (s.M, s.N, s.K, true, false), (s.M, s.N, s.K, true, true) })
            // The model's widest GEMMs as it runs them: forward, input gradient, weight gradient.
            .Concat([(128, 500, 784, false, false), (128, 784, 500, false, true), (784, 500, 128, true, false)]);
        foreach (var (m, n, k, transposeA, transposeB) in shapes)
        {
            foreach (bool scaled in new[] { false, true })
            {
                string shape = $"{(transposeA ? 'T' : 'N')}{(transposeB ? 'T' : 'N')} ({m}, {n}, {k}) {(scaled ? "beta random" : "beta 0")}";
                // Reads A and B, writes C (and reads it first where beta is not 0).
                var work = new KernelWork(m, n, sizeof(float) * ((long)m * k + ((long)k * n) + ((scaled ? 2L : 1L) * m * n)));
                yield return new KernelCase(OperationName.Gemm, shape, GemmTolerance, work, context =>
                {
                    float[] a = context.Uniform(m * k);
                    float[] b = context.Uniform(k * n);
                    float[] c = context.Uniform(m * n);
                    float alpha = context.Uniform(1)[0];
                    float beta = scaled ? context.Uniform(1)[0] : 0;
                    using var left = context.Upload(a, transposeA ? k : m, transposeA ? m : k);
                    using var right = context.Upload(b, transposeB ? n : k, transposeB ? k : n);
                    // beta == 0 must ignore C, so C starts as NaN there.
                    using var output = scaled ? context.Upload(c, m, n) : context.Poisoned(m, n);
                    context.Launch(() => context.Backend.Gemm(output, left, transposeA, right, transposeB, alpha, beta));
                    Gemm.Reference(c, a, transposeA, b, transposeB, alpha, beta, m, n, k);
                    return (c, context.Download(output));
                }, Small: SlowKernelShapes.Contains((m, n, k)));
            }
        }
    }

    private static IEnumerable<KernelCase> MemoryCases()
    {
        foreach (var (rows, cols) in MatrixShapes)
        {
            string shape = $"({rows}, {cols})";
            // Writes y.
            yield return new KernelCase(OperationName.Fill, shape, ExactTolerance, KernelWork.Tensors(rows, cols, 1), context =>
            {
                float value = context.Uniform(1)[0];
                float[] expected = new float[rows * cols];
                Memory.FillReference(expected, value, expected.Length);
                using var y = context.Poisoned(rows, cols);
                context.Launch(() => context.Backend.Fill(y, value));
                return (expected, context.Download(y));
            });
            // Reads x, writes y.
            yield return new KernelCase(OperationName.Copy, shape, ExactTolerance, KernelWork.Tensors(rows, cols, 2), context =>
            {
                float[] x = context.Uniform(rows * cols);
                using var input = context.Upload(x, rows, cols);
                using var y = context.Poisoned(rows, cols);
                context.Launch(() => context.Backend.Copy(y, input));
                return (x, context.Download(y));
            });
            // Reads x, writes the readback buffer (host memory, on a device).
            yield return new KernelCase(OperationName.CopyToReadback, shape, ExactTolerance, KernelWork.Tensors(rows, cols, 2), context =>
            {
                float[] x = context.Uniform(rows * cols);
                using var input = context.Upload(x, rows, cols);
                using var readback = context.Backend.AllocateReadback(rows * cols);
                context.Launch(() => context.Backend.CopyToReadback(readback, input));
                context.Backend.Synchronize();
                return (x, readback.Values.ToArray());
            });
            // Reads the picked rows of x, writes y.
            yield return new KernelCase(OperationName.GatherRows, shape, ExactTolerance, KernelWork.Tensors(rows, cols, 2), context =>
            {
                float[] x = context.Uniform(rows * cols);
                // Rows picked with repeats, in any order, as a shuffled batch's are.
                int[] picked = [.. Enumerable.Range(0, rows).Select(_ => context.Next(rows))];
                float[] expected = new float[rows * cols];
                Memory.GatherRowsReference(expected, x, picked, cols);
                using var input = context.Upload(x, rows, cols);
                using var y = context.Poisoned(rows, cols);
                using var step = context.UploadRows(picked);
                context.Launch(() => context.Backend.GatherRows(y, input, step));
                return (expected, context.Download(y));
            });
        }
    }

    private static IEnumerable<KernelCase> BiasCases() =>
        MatrixShapes.SelectMany(s => new[] { BiasAddCase(s.Rows, s.Cols), SumColumnsCase(s.Rows, s.Cols) });

    private static KernelCase BiasAddCase(int rows, int cols) =>
        // Reads and writes y.
        new(OperationName.BiasAdd, $"({rows}, {cols})", ExactTolerance, KernelWork.Tensors(rows, cols, 2), context =>
        {
            float[] x = context.Uniform(rows * cols);
            float[] bias = context.Uniform(cols);
            using var y = context.Upload(x, rows, cols);
            using var b = context.Upload(bias, 1, cols);
            context.Launch(() => context.Backend.AddBias(y, b));
            Bias.AddReference(x, bias, rows, cols);
            return (x, context.Download(y));
        });

    private static KernelCase SumColumnsCase(int rows, int cols) =>
        // Reads x.
        new(OperationName.SumColumns, $"({rows}, {cols})", ColumnSumTolerance, KernelWork.Tensors(rows, cols, 1), context =>
        {
            float[] x = context.Uniform(rows * cols);
            float alpha = context.Uniform(1)[0];
            float[] expected = new float[cols];
            Reductions.SumColumnsReference(expected, x, alpha, rows, cols);
            using var input = context.Upload(x, rows, cols);
            using var sums = context.Poisoned(1, cols);
            context.Launch(() => context.Backend.SumColumns(sums, input, alpha));
            return (expected, context.Download(sums));
        }, Small: SmallMatrix(rows, cols));

    private static IEnumerable<KernelCase> EpilogueCases() =>
        from shape in MatrixShapes
        from activation in Enum.GetValues<Activation>()
        from kernelCase in new[]
        {
            ForwardCase(activation, shape.Rows, shape.Cols), DropoutForwardCase(activation, shape.Rows, shape.Cols),
            BackwardCase(activation, shape.Rows, shape.Cols), DropoutBackwardCase(activation, shape.Rows, shape.Cols, inPlace: true),
            DropoutBackwardCase(activation, shape.Rows, shape.Cols, inPlace: false),
        }
        select kernelCase;

    private static string EpilogueShape(Activation activation, int rows, int cols) => $"{activation.ToString().ToLowerInvariant()} ({rows}, {cols})";

    private static KernelCase ForwardCase(Activation activation, int rows, int cols) =>
        // Reads the pre-activations, writes them back with the bias added, writes y.
        new(OperationName.BiasActivationForward, EpilogueShape(activation, rows, cols), TranscendentalTolerance, KernelWork.Tensors(rows, cols, 3), context =>
        {
            float[] x = PreActivations(context, rows * cols);
            float[] bias = context.Uniform(cols);
            using var pre = context.Upload(x, rows, cols);
            using var b = context.Upload(bias, 1, cols);
            using var y = context.Poisoned(rows, cols);
            context.Launch(() => context.Backend.BiasActivationForward(activation, y, pre, b));
            float[] expected = new float[rows * cols];
            Epilogues.ForwardReference(activation, expected, x, bias, rows, cols);
            return ([.. x, .. expected], context.Download(pre, y));
        });

    private static KernelCase DropoutForwardCase(Activation activation, int rows, int cols) =>
        // Reads the pre-activations, writes them back with the bias added, writes y and y dropped.
        new(OperationName.BiasActivationDropoutForward, EpilogueShape(activation, rows, cols), TranscendentalTolerance, KernelWork.Tensors(rows, cols, 4), context =>
        {
            float[] x = PreActivations(context, rows * cols);
            float[] bias = context.Uniform(cols);
            ulong seed = context.NextSeed();
            using var pre = context.Upload(x, rows, cols);
            using var b = context.Upload(bias, 1, cols);
            using var y = context.Poisoned(rows, cols);
            using var dropped = context.Poisoned(rows, cols);
            using var step = context.UploadStream(7, out var stream);
            context.Launch(() => context.Backend.BiasActivationDropoutForward(activation, dropped, y, pre, b, 0.8f, seed, stream));
            float[] post = new float[rows * cols];
            float[] expected = new float[rows * cols];
            Epilogues.DropoutForwardReference(activation, expected, post, x, bias, 0.8f, seed, 7, rows, cols);
            return ([.. x, .. post, .. expected], context.Download(pre, y, dropped));
        });

    private static KernelCase BackwardCase(Activation activation, int rows, int cols) =>
        // Reads dy, x and y, writes dx.
        new(OperationName.ActivationBackward, EpilogueShape(activation, rows, cols), TranscendentalTolerance, KernelWork.Tensors(rows, cols, 4), context =>
        {
            var (x, y, dy) = BackwardInputs(context, activation, rows * cols);
            float[] expected = new float[rows * cols];
            Activations.BackwardReference(activation, expected, dy, x, y, expected.Length);
            using var pre = context.Upload(x, rows, cols);
            using var post = context.Upload(y, rows, cols);
            using var gradient = context.Upload(dy, rows, cols);
            using var dx = context.Poisoned(rows, cols);
            context.Launch(() => context.Backend.ActivationBackward(activation, dx, gradient, pre, post));
            return (expected, context.Download(dx));
        });

    /// <param name="inPlace">
    /// Whether dx aliases dy, as the model runs it. Apart, for bench: repeated in place, the
    /// gradient shrinks or grows by up to 1/keep a call, and on a CPU the subnormals it passes
    /// through cost half as much time again (3% of a (128, 500) gradient after a warm-up).
    /// </param>
    private static KernelCase DropoutBackwardCase(Activation activation, int rows, int cols, bool inPlace) =>
        // Reads dy, x and y, writes dx.
        new(OperationName.DropoutActivationBackward, EpilogueShape(activation, rows, cols) + (inPlace ? string.Empty : " dx apart from dy"), TranscendentalTolerance,
            KernelWork.Tensors(rows, cols, 4), context =>
        {
            var (x, y, dy) = BackwardInputs(context, activation, rows * cols);
            ulong seed = context.NextSeed();
            float[] expected = new float[rows * cols];
            Epilogues.DropoutBackwardReference(activation, expected, dy, x, y, 0.8f, seed, 7, expected.Length);
            using var pre = context.Upload(x, rows, cols);
            using var post = context.Upload(y, rows, cols);
            using var gradient = context.Upload(dy, rows, cols);
            using var apart = inPlace ? null : context.Poisoned(rows, cols);
            var dx = apart ?? gradient;
            using var step = context.UploadStream(7, out var stream);
            context.Launch(() => context.Backend.DropoutActivationBackward(activation, dx, gradient, pre, post, 0.8f, seed, stream));
            return (expected, context.Download(dx));
        });

    /// <summary>x, y = f(x) from the reference (so only the backward's own error shows), and dy.</summary>
    private static (float[] X, float[] Y, float[] Dy) BackwardInputs(KernelCaseContext context, Activation activation, int length)
    {
        float[] x = PreActivations(context, length);
        float[] y = [.. x.Select(value => (float)Activations.ForwardReference(activation, value))];
        return (x, y, context.Uniform(length));
    }

    /// <summary>
    /// Values up to 5 in size, where sigmoid and softplus reach their flat ends, and every 13th
    /// one +-40, where a naive softplus or sigmoid overflows.
    /// </summary>
    private static float[] PreActivations(KernelCaseContext context, int length) =>
        [.. context.Uniform(length, 5).Select((value, i) => i % 13 == 12 ? MathF.CopySign(40, value) : value)];

    private static IEnumerable<KernelCase> MapCases()
    {
        foreach (var (rows, cols) in MatrixShapes)
        {
            string shape = $"({rows}, {cols})";
            // Reads x, writes y.
            yield return new KernelCase(OperationName.SaltAndPepper, shape, ExactTolerance, KernelWork.Tensors(rows, cols, 2), context =>
            {
                float[] x = context.Uniform(rows * cols);
                ulong seed = context.NextSeed();
                float[] expected = new float[x.Length];
                Sampling.SaltAndPepperReference(expected, x, 0.3f, seed, 2, x.Length);
                using var input = context.Upload(x, rows, cols);
                using var y = context.Poisoned(rows, cols);
                using var step = context.UploadStream(2, out var stream);
                context.Launch(() => context.Backend.SaltAndPepper(y, input, 0.3f, seed, stream));
                return (expected, context.Download(y));
            });
            // Reads x, writes y.
            yield return new KernelCase(OperationName.Binarize, shape, ExactTolerance, KernelWork.Tensors(rows, cols, 2), context =>
            {
                // Grey levels in [0, 1] with exact 0s and 1s, which must stay as they are.
                float[] x = [.. context.Uniform(rows * cols).Select((value, i) => i % 11 == 0 ? i % 22 == 0 ? 0 : 1 : Math.Abs(value))];
                ulong seed = context.NextSeed();
                float[] expected = new float[x.Length];
                Sampling.BinarizeReference(expected, x, seed, 5, x.Length);
                using var input = context.Upload(x, rows, cols);
                using var y = context.Poisoned(rows, cols);
                using var step = context.UploadStream(5, out var stream);
                context.Launch(() => context.Backend.Binarize(y, input, seed, stream));
                return (expected, context.Download(y));
            });
        }

        foreach (var (images, copies, pixels) in new[] { (1, 3, 7), (5, 3, 784), (33, 2, 33) })
        {
            // Reads x, writes y: every copy of every image.
            yield return new KernelCase(
                OperationName.Binarize, $"({images} images x {copies} copies, {pixels})", ExactTolerance, KernelWork.Tensors(images * copies, pixels, 2), context =>
            {
                // Each image's copies must draw the image's own bits, as one image alone does.
                float[] image = [.. context.Uniform(images * pixels).Select(Math.Abs)];
                ulong seed = context.NextSeed();
                float[] drawn = new float[image.Length];
                Sampling.BinarizeReference(drawn, image, seed, 5, image.Length);
                float[] x = [.. Enumerable.Range(0, images).SelectMany(n => Enumerable.Repeat(image.Skip(n * pixels).Take(pixels), copies).SelectMany(row => row))];
                float[] expected = [.. Enumerable.Range(0, images).SelectMany(n => Enumerable.Repeat(drawn.Skip(n * pixels).Take(pixels), copies).SelectMany(row => row))];
                using var input = context.Upload(x, images * copies, pixels);
                using var y = context.Poisoned(images * copies, pixels);
                using var step = context.UploadStream(5, out var stream);
                context.Launch(() => context.Backend.Binarize(y, input, seed, stream, copies));
                return (expected, context.Download(y));
            });
        }
    }

    private static IEnumerable<KernelCase> LossCases() =>
        MatrixShapes.SelectMany(s => new[] { BceForwardCase(s.Rows, s.Cols), BceBackwardCase(s.Rows, s.Cols) });

    private static KernelCase BceForwardCase(int rows, int cols) =>
        // Reads p and t.
        new(OperationName.BceForward, $"({rows}, {cols})", RowSumTolerance, KernelWork.Tensors(rows, cols, 2), context =>
        {
            var (p, t) = Probabilities(context, rows * cols);
            float[] expected = new float[rows];
            Losses.BinaryCrossEntropyReference(expected, p, t, rows, cols);
            using var probabilities = context.Upload(p, rows, cols);
            using var targets = context.Upload(t, rows, cols);
            using var loss = context.Poisoned(rows, 1);
            context.Launch(() => context.Backend.BinaryCrossEntropy(loss, probabilities, targets));
            return (expected, context.Download(loss));
        }, Small: SmallMatrix(rows, cols));

    private static KernelCase BceBackwardCase(int rows, int cols) =>
        // Reads p and t, writes the gradient.
        new(OperationName.BceBackward, $"({rows}, {cols})", ExactTolerance, KernelWork.Tensors(rows, cols, 3), context =>
        {
            var (p, t) = Probabilities(context, rows * cols);
            float[] expected = new float[rows * cols];
            Losses.BinaryCrossEntropyBackwardReference(expected, p, t, 0.5f, expected.Length);
            using var probabilities = context.Upload(p, rows, cols);
            using var targets = context.Upload(t, rows, cols);
            using var gradient = context.Poisoned(rows, cols);
            context.Launch(() => context.Backend.BinaryCrossEntropyBackward(gradient, probabilities, targets, 0.5f));
            return (expected, context.Download(gradient));
        });

    /// <summary>
    /// The importance-weighted bound's operations: (images, K) with one sample (the ELBO's
    /// case), odd K, and the training batch at K = 5; row scaling at the matrix shapes; the
    /// prior-over-posterior gradient at the latent shapes.
    /// </summary>
    private static IEnumerable<KernelCase> ImportanceCases()
    {
        foreach (var (images, samples) in new[] { (1, 1), (7, 1), (1, 7), (33, 3), (128, 5) })
        {
            int rows = images * samples;
            // Reads a BCE and a prior-over-posterior term a sample, writes a weight a sample and a bound an image.
            var work = new KernelWork(images, samples, sizeof(float) * ((3L * rows) + images));
            yield return new KernelCase(OperationName.ImportanceWeights, $"({images} images, K = {samples})", ImportanceWeightTolerance, work, context =>
            {
                // BCEs of 100 to 150 nats and prior-over-posterior terms in [-5, 5]: log weights tens of nats apart.
                float[] bce = [.. context.Uniform(rows).Select(value => 100 + (50 * Math.Abs(value)))];
                float[] logPriorOverPosterior = context.Uniform(rows, 5);
                float[] weights = new float[rows];
                float[] loss = new float[images];
                ImportanceWeighting.ImportanceWeightsReference(weights, loss, bce, logPriorOverPosterior, images, samples);
                using var bceIn = context.Upload(bce, rows, 1);
                using var logIn = context.Upload(logPriorOverPosterior, rows, 1);
                using var weightsOut = context.Poisoned(rows, 1);
                using var lossOut = context.Poisoned(images, 1);
                context.Launch(() => context.Backend.ImportanceWeights(weightsOut, lossOut, bceIn, logIn, samples));
                return ([.. weights, .. loss], context.Download(weightsOut, lossOut));
            });
        }

        foreach (var (rows, cols) in MatrixShapes)
        {
            // Reads and writes y.
            yield return new KernelCase(OperationName.ScaleRows, $"({rows}, {cols})", ExactTolerance, KernelWork.Tensors(rows, cols, 2), context =>
            {
                float[] y = context.Uniform(rows * cols);
                float[] weights = [.. context.Uniform(rows).Select(Math.Abs)];
                using var yInOut = context.Upload(y, rows, cols);
                using var weightsIn = context.Upload(weights, rows, 1);
                context.Launch(() => context.Backend.ScaleRows(yInOut, weightsIn));
                ImportanceWeighting.ScaleRowsReference(y, weights, rows, cols);
                return (y, context.Download(yInOut));
            });
        }

        foreach (var (rows, latent) in LatentShapes)
        {
            int length = rows * latent;
            // Reads z, eps and sigma, reads and writes the two gradients.
            yield return new KernelCase(
                OperationName.LogPriorOverPosteriorBackward, $"({rows}, {latent})", TranscendentalTolerance, KernelWork.Tensors(rows, latent, 7), context =>
            {
                float[] z = context.Uniform(length, 3);
                float[] eps = context.Uniform(length, 3);
                float[] sigma = [.. context.Uniform(length, 2).Select(value => Math.Abs(value) + Sampling.MinimumSigma)];
                float[] weights = [.. context.Uniform(rows).Select(Math.Abs)];
                float[] dMu = context.Uniform(length);
                float[] dSigma = context.Uniform(length);
                // Accumulates into the reparameterization's gradients, so they start with values.
                using var dMuInOut = context.Upload(dMu, rows, latent);
                using var dSigmaInOut = context.Upload(dSigma, rows, latent);
                using var zIn = context.Upload(z, rows, latent);
                using var epsIn = context.Upload(eps, rows, latent);
                using var sigmaIn = context.Upload(sigma, rows, latent);
                using var weightsIn = context.Upload(weights, rows, 1);
                context.Launch(() => context.Backend.LogPriorOverPosteriorBackward(dMuInOut, dSigmaInOut, zIn, epsIn, sigmaIn, weightsIn, 0.5f));
                ImportanceWeighting.LogPriorOverPosteriorBackwardReference(dMu, dSigma, z, eps, sigma, weights, 0.5f, rows, latent);
                return ([.. dMu, .. dSigma], context.Download(dMuInOut, dSigmaInOut));
            });
        }
    }

    /// <summary>Probabilities in [0, 1] with exact 0s and 1s so the clamp is exercised, and targets in [0, 1].</summary>
    private static (float[] P, float[] T) Probabilities(KernelCaseContext context, int length)
    {
        // Every seventh p is an end of [0, 1]; every seventh another lies at an edge of the
        // clamp: the float below 1, the clamp itself, the float below it.
        float[] edges = [0.99999994f, Losses.ProbabilityClamp, MathF.BitDecrement(Losses.ProbabilityClamp)];
        float[] p = [.. context.Uniform(length).Select((value, i) => (i % 7) switch
        {
            0 => i % 14 == 0 ? 0 : 1,
            3 => edges[(i / 7) % edges.Length],
            _ => Math.Abs(value),
        })];
        return (p, [.. context.Uniform(length).Select(Math.Abs)]);
    }

    private static IEnumerable<KernelCase> SamplingCases()
    {
        foreach (var (rows, latent) in LatentShapes)
        {
            string shape = $"({rows}, {latent})";
            int length = rows * latent;
            // Reads the head's two halves, writes mu and sigma.
            yield return new KernelCase(OperationName.GaussianHead, shape, TranscendentalTolerance, KernelWork.Tensors(rows, latent, 4), context =>
            {
                float[] h = context.Uniform(2 * length, 5);
                float[] mu = new float[length];
                float[] sigma = new float[length];
                Sampling.GaussianHeadReference(mu, sigma, h, rows, latent);
                using var head = context.Upload(h, rows, 2 * latent);
                using var muOut = context.Poisoned(rows, latent);
                using var sigmaOut = context.Poisoned(rows, latent);
                context.Launch(() => context.Backend.GaussianHead(muOut, sigmaOut, head));
                return ([.. mu, .. sigma], context.Download(muOut, sigmaOut));
            });
            // Reads the two gradients and the head's two halves, writes the head's gradient, two halves.
            yield return new KernelCase(OperationName.GaussianHeadBackward, shape, TranscendentalTolerance, KernelWork.Tensors(rows, latent, 6), context =>
            {
                float[] h = context.Uniform(2 * length, 5);
                float[] dMu = context.Uniform(length);
                float[] dSigma = context.Uniform(length);
                float[] dh = new float[2 * length];
                Sampling.GaussianHeadBackwardReference(dh, dMu, dSigma, h, rows, latent);
                using var head = context.Upload(h, rows, 2 * latent);
                using var dMuIn = context.Upload(dMu, rows, latent);
                using var dSigmaIn = context.Upload(dSigma, rows, latent);
                using var dhOut = context.Poisoned(rows, 2 * latent);
                context.Launch(() => context.Backend.GaussianHeadBackward(dhOut, dMuIn, dSigmaIn, head));
                return (dh, context.Download(dhOut));
            });
            // Reads mu and sigma, writes z and eps.
            yield return new KernelCase(OperationName.Reparameterize, shape, NormalTolerance, KernelWork.Tensors(rows, latent, 4), context =>
            {
                float[] mu = context.Uniform(length, 3);
                float[] sigma = [.. context.Uniform(length).Select(value => Math.Abs(value) + Sampling.MinimumSigma)];
                ulong seed = context.NextSeed();
                float[] z = new float[length];
                float[] eps = new float[length];
                Sampling.ReparameterizeReference(z, eps, mu, sigma, seed, 3, length);
                using var muIn = context.Upload(mu, rows, latent);
                using var sigmaIn = context.Upload(sigma, rows, latent);
                using var zOut = context.Poisoned(rows, latent);
                using var epsOut = context.Poisoned(rows, latent);
                using var step = context.UploadStream(3, out var stream);
                context.Launch(() => context.Backend.Reparameterize(zOut, epsOut, muIn, sigmaIn, seed, stream));
                return ([.. z, .. eps], context.Download(zOut, epsOut));
            });
            // Reads dz and eps, writes the gradients of mu and sigma.
            yield return new KernelCase(OperationName.ReparameterizeBackward, shape, ExactTolerance, KernelWork.Tensors(rows, latent, 4), context =>
            {
                float[] dz = context.Uniform(length);
                float[] eps = context.Uniform(length, 3);
                float[] dMu = new float[length];
                float[] dSigma = new float[length];
                Sampling.ReparameterizeBackwardReference(dMu, dSigma, dz, eps, length);
                using var dzIn = context.Upload(dz, rows, latent);
                using var epsIn = context.Upload(eps, rows, latent);
                using var dMuOut = context.Poisoned(rows, latent);
                using var dSigmaOut = context.Poisoned(rows, latent);
                context.Launch(() => context.Backend.ReparameterizeBackward(dMuOut, dSigmaOut, dzIn, epsIn));
                return ([.. dMu, .. dSigma], context.Download(dMuOut, dSigmaOut));
            });
            // Reads mu and sigma.
            yield return new KernelCase(OperationName.KlForward, shape, RowSumTolerance, KernelWork.Tensors(rows, latent, 2), context =>
            {
                float[] mu = context.Uniform(length, 3);
                float[] sigma = [.. context.Uniform(length, 2).Select(value => Math.Abs(value) + Sampling.MinimumSigma)];
                float[] expected = new float[rows];
                Losses.KlDivergenceReference(expected, mu, sigma, rows, latent);
                using var muIn = context.Upload(mu, rows, latent);
                using var sigmaIn = context.Upload(sigma, rows, latent);
                using var kl = context.Poisoned(rows, 1);
                context.Launch(() => context.Backend.KlDivergence(kl, muIn, sigmaIn));
                return (expected, context.Download(kl));
            });
            // Reads mu and sigma, reads and writes the two gradients.
            yield return new KernelCase(OperationName.KlBackward, shape, TranscendentalTolerance, KernelWork.Tensors(rows, latent, 6), context =>
            {
                float[] mu = context.Uniform(length, 3);
                float[] sigma = [.. context.Uniform(length, 2).Select(value => Math.Abs(value) + Sampling.MinimumSigma)];
                float[] dMu = context.Uniform(length);
                float[] dSigma = context.Uniform(length);
                // Accumulates into the reparameterization's gradients, so they start with values.
                using var dMuInOut = context.Upload(dMu, rows, latent);
                using var dSigmaInOut = context.Upload(dSigma, rows, latent);
                using var muIn = context.Upload(mu, rows, latent);
                using var sigmaIn = context.Upload(sigma, rows, latent);
                context.Launch(() => context.Backend.KlDivergenceBackward(dMuInOut, dSigmaInOut, muIn, sigmaIn, 0.5f));
                Losses.KlDivergenceBackwardReference(dMu, dSigma, mu, sigma, 0.5f, length);
                return ([.. dMu, .. dSigma], context.Download(dMuInOut, dSigmaInOut));
            });
            // Reads z, eps and sigma.
            yield return new KernelCase(OperationName.LogPriorOverPosterior, shape, RowSumTolerance, KernelWork.Tensors(rows, latent, 3), context =>
            {
                float[] z = context.Uniform(length, 3);
                float[] eps = context.Uniform(length, 3);
                float[] sigma = [.. context.Uniform(length, 2).Select(value => Math.Abs(value) + Sampling.MinimumSigma)];
                float[] expected = new float[rows];
                ImportanceWeighting.LogPriorOverPosteriorReference(expected, z, eps, sigma, rows, latent);
                using var zIn = context.Upload(z, rows, latent);
                using var epsIn = context.Upload(eps, rows, latent);
                using var sigmaIn = context.Upload(sigma, rows, latent);
                using var weight = context.Poisoned(rows, 1);
                context.Launch(() => context.Backend.LogPriorOverPosterior(weight, zIn, epsIn, sigmaIn));
                return (expected, context.Download(weight));
            });
        }
    }

    /// <summary>
    /// One tensor; a weight and its bias, odd-sized; and a model-sized block of four tensors
    /// whose later parts start at offsets that are no multiple of any vector or group width.
    /// </summary>
    private static IEnumerable<KernelCase> AdamCases()
    {
        yield return AdamCase([(1, 1)], 1);
        yield return AdamCase([(7, 33), (1, 33)], 2);
        yield return AdamCase([(784, 500), (1, 500), (500, 7), (1, 7)], 1000);
    }

    private static KernelCase AdamCase((int Rows, int Cols)[] layout, long stepNumber)
    {
        string shape = $"[{string.Join(", ", layout.Select(part => $"({part.Rows}, {part.Cols})"))}] step {stepNumber}";
        int length = layout.Sum(part => part.Rows * part.Cols);
        // Reads and writes the parameters and both moments, reads the gradient; printed as the
        // one weight where there is one, else as the block's length.
        var work = layout.Length == 1 ? KernelWork.Tensors(layout[0].Rows, layout[0].Cols, 7) : KernelWork.Tensors(1, length, 7);
        return new KernelCase(OperationName.Adam, shape, AdamTolerance, work, context =>
        {
            var step = AdamStep.Default(1e-3f, stepNumber);
            float[] parameters = context.Uniform(length);
            float[] m = context.Uniform(length, 0.1f);
            float[] v = [.. context.Uniform(length, 0.01f).Select(Math.Abs)];
            float[] g = context.Uniform(length);
            using var pBlock = context.Upload(parameters, layout);
            using var mBlock = context.Upload(m, layout);
            using var vBlock = context.Upload(v, layout);
            using var gBlock = context.Upload(g, layout);
            using var values = context.UploadAdam(step);
            context.Launch(() => context.Backend.AdamUpdate(pBlock, mBlock, vBlock, gBlock, values));
            Adam.UpdateReference(parameters, m, v, g, step, length);
            return ([.. parameters, .. m, .. v], [.. context.Download(pBlock), .. context.Download(mBlock), .. context.Download(vBlock)]);
        });
    }
}

using GpuVae.Kernels;

namespace GpuVae.Model.Training;

/// <summary>
/// How a <see cref="TrainingStep"/> reaches the device: op by op, or recorded once as a graph
/// (CUDA) and replayed. Its first step on a set of images runs op by op, which loads every
/// kernel; the next is captured and every later one replays it. A graph holds the addresses of
/// the images and labels it was captured on, so other ones run op by op and are captured
/// anew; where a capture fails, every step from then on runs op by op.
/// </summary>
public sealed class CapturedStep : IDisposable
{
    private readonly Backend backend;
    private CapturedWork? graph;
    private Tensor? graphImages;
    private Tensor? graphLabels;
    // Whether to capture the next step: as asked, until a capture fails.
    private bool captureWanted;
    // Whether a step has run op by op on these images, which loads every kernel before a capture.
    private bool warmedUp;

    public CapturedStep(Backend backend, bool captureGraph)
    {
        this.backend = backend;
        captureWanted = captureGraph;
        Status = captureGraph ? "step: not captured yet (the first step runs op by op)" : "step: runs op by op (graph capture off)";
    }

    /// <summary>One line on how steps run: captured as a graph of N operations, or op by op and why.</summary>
    public string Status { get; private set; }

    /// <summary>Whether steps now replay a captured graph.</summary>
    public bool Replaying => graph is not null;

    /// <summary>
    /// Puts one step on the device: replays the graph captured on these images and labels,
    /// captures <paramref name="enqueue"/> when it is time, or runs it op by op.
    /// </summary>
    public void Run(Tensor images, Tensor? labels, Action enqueue)
    {
        ArgumentNullException.ThrowIfNull(enqueue);
        if (graph is not null && !(ReferenceEquals(images, graphImages) && ReferenceEquals(labels, graphLabels)))
        {
            graph.Dispose();
            graph = null;
            warmedUp = false;
        }

        if (graph is not null)
        {
            graph.Replay();
        }
        else if (captureWanted && warmedUp)
        {
            Capture(images, labels, enqueue);
        }
        else
        {
            enqueue();
            warmedUp = true;
        }
    }

    public void Dispose() => graph?.Dispose();

    /// <summary>Records the step once and replays it for this step; where that fails, runs it op by op from now on.</summary>
    private void Capture(Tensor images, Tensor? labels, Action enqueue)
    {
        if (backend.TryCapture(enqueue, out var work, out string reason))
        {
            graph = work!;
            graphImages = images;
            graphLabels = labels;
            Status = $"step: captured as a CUDA graph of {graph.Operations} operations, replayed every step";
            graph.Replay();
        }
        else
        {
            Status = $"step: runs op by op ({reason})";
            captureWanted = false;
            enqueue();
        }
    }
}

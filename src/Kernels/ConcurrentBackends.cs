using GpuVae.Kernels.Ilgpu;

namespace GpuVae.Kernels;

/// <summary>
/// A backend for each of several models trained at once on one device. On CUDA the first is
/// the backend itself and each other a sibling that shares its accelerator and kernels and
/// queues on a CUDA stream of its own, so that one model's step runs on the GPU while the
/// next model's is queued; the siblings are disposed here, the backend is not. Everywhere else
/// every model gets the backend itself: the host and ILGPU's CPU accelerator do each operation
/// as it is queued, so their models gain nothing from taking turns, and their callers run them
/// one after another (<see cref="SideBySide"/>). The CUDA siblings are written against ILGPU
/// 1.5.3's source and not yet run on a GPU.
/// </summary>
public sealed class ConcurrentBackends : IDisposable
{
    private readonly Backend[] backends;
    private readonly List<Backend> siblings;

    private ConcurrentBackends(Backend[] backends, List<Backend> siblings, string description)
    {
        this.backends = backends;
        this.siblings = siblings;
        Description = description;
    }

    /// <summary>How the models share the device, in one line for the log.</summary>
    public string Description { get; }

    /// <summary>Whether each model has a backend of its own, which runs its work beside the others'.</summary>
    public bool SideBySide => siblings.Count > 0;

    /// <summary>The backend of the model at this index.</summary>
    public Backend this[int index] => backends[index];

    /// <summary>Backends for <paramref name="count"/> models on the device of <paramref name="backend"/>, which stays the caller's.</summary>
    public static ConcurrentBackends Create(Backend backend, int count)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        string reason = $"the {backend.Kind} backend does each operation as it is queued";
        if (count > 1 && backend is IlgpuBackend ilgpu && TryCreateSiblings(ilgpu, count - 1, out var siblings, out reason))
        {
            return new ConcurrentBackends([backend, .. siblings], siblings, $"{count} models side by side on one {backend.Kind} device, each on a stream of its own");
        }

        return new ConcurrentBackends([.. Enumerable.Repeat(backend, count)], [], $"{count} models one after another: {reason}");
    }

    public void Dispose() => DisposeAll(siblings);

    /// <summary>All of them or none: models that shared a stream would wait for each other anyway.</summary>
    private static bool TryCreateSiblings(IlgpuBackend backend, int count, out List<Backend> siblings, out string reason)
    {
        siblings = [];
        reason = string.Empty;
        try
        {
            while (siblings.Count < count)
            {
                if (!backend.TryCreateSibling(out var sibling, out reason))
                {
                    DisposeAll(siblings);
                    siblings = [];
                    return false;
                }

                siblings.Add(sibling!);
            }

            return true;
        }
        catch
        {
            DisposeAll(siblings);
            throw;
        }
    }

    private static void DisposeAll(List<Backend> siblings)
    {
        for (int i = siblings.Count - 1; i >= 0; i--)
        {
            siblings[i].Dispose();
        }
    }
}

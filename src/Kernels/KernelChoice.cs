namespace GpuVae.Kernels;

/// <summary>An <see cref="IKernelChoice"/> over an enum of kernels, read by the backend on every call.</summary>
internal sealed class KernelChoice<TKernel> : IKernelChoice
    where TKernel : struct, Enum
{
    private readonly IReadOnlyList<TKernel> all;
    private readonly int fastCount;

    /// <param name="fast">The kernels this device runs well, the preferred one first.</param>
    /// <param name="slow">Kernels that are correct here but only worth running on small checks.</param>
    public KernelChoice(string name, IReadOnlyList<string> operations, IReadOnlyList<TKernel> fast, IReadOnlyList<TKernel>? slow = null)
    {
        ArgumentNullException.ThrowIfNull(fast);
        ArgumentOutOfRangeException.ThrowIfZero(fast.Count);
        Name = name;
        Operations = operations;
        all = [.. fast, .. slow ?? []];
        fastCount = fast.Count;
        Kernels = [.. all.Select(kernel => kernel.ToString())];
        Current = fast[0];
    }

    public string Name { get; }

    public IReadOnlyList<string> Operations { get; }

    public IReadOnlyList<string> Kernels { get; }

    /// <summary>The kernel the backend runs now.</summary>
    public TKernel Current { get; private set; }

    public string Selected => Current.ToString();

    public bool IsSlow(string kernel) => Kernels.ToList().IndexOf(kernel) >= fastCount;

    public IDisposable Select(string kernel)
    {
        int index = Kernels.ToList().IndexOf(kernel);
        if (index < 0)
        {
            throw new ArgumentException($"{Name} has no kernel '{kernel}' here; it has {string.Join(", ", Kernels)}", nameof(kernel));
        }

        var previous = Current;
        Current = all[index];
        return new Restore(this, previous);
    }

    private sealed class Restore(KernelChoice<TKernel> choice, TKernel previous) : IDisposable
    {
        public void Dispose() => choice.Current = previous;
    }
}

using System.Runtime.CompilerServices;

namespace GpuVae.Kernels.Host;

/// <summary>A range [start, end) of a job split by <see cref="HostParallel"/>; the state is the caller's, passed by reference.</summary>
internal delegate void RangeBody<TState>(ref TState state, int start, int end);

/// <summary>
/// Splits elementwise work over the cores (<see cref="HostTeam"/>) only when it pays: below
/// ~32k elements, handing half to another core costs more than it saves for the memory-bound
/// operations; costlier ones (dropout's hashing) pass a smaller minimum.
/// </summary>
internal static class HostParallel
{
    private const int MinimumElementsPerChunk = 32 * 1024;

    /// <summary>Calls body(ref state, start, end) over [0, length) in contiguous, 64-aligned chunks.</summary>
    public static void For<TState>(int length, ref TState state, RangeBody<TState> body) => For(length, MinimumElementsPerChunk, ref state, body);

    /// <summary>
    /// Calls body(ref state, start, end) over [0, length) in contiguous, 64-aligned chunks of at
    /// least minimumElementsPerChunk elements: smaller for operations that cost more per element.
    /// The state must be a local of the caller (see <see cref="HostTeam.Run"/>).
    /// </summary>
    public static unsafe void For<TState>(int length, int minimumElementsPerChunk, ref TState state, RangeBody<TState> body)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minimumElementsPerChunk);
        int chunks = Math.Clamp(length / minimumElementsPerChunk, 1, HostTeam.Size);
        if (chunks == 1)
        {
            body(ref state, 0, length);
            return;
        }

        // ceil(length / chunks), not floor: 65537 elements in two floor-sized chunks of 32768
        // (already a multiple of 64) left element 65536 to no one. In long, so that lengths
        // near int.MaxValue cannot overflow.
        long chunk = ((((long)length + chunks - 1) / chunks) + 63) & ~63L;
        var split = new Split<TState>(Unsafe.AsPointer(ref state), body, length, chunk);
        HostTeam.Run(chunks, ref split, static (ref split, part) =>
        {
            long start = part * split.Chunk;
            long end = Math.Min(split.Length, start + split.Chunk);
            if (start < end)
            {
                split.Body(ref Unsafe.AsRef<TState>(split.State), (int)start, (int)end);
            }
        });
    }

    /// <summary>
    /// Calls body(ref state, start, end) over the rows [0, rows) of a (rows, cols) tensor, in
    /// chunks of whole rows holding at least the elements <see cref="For{TState}(int, ref TState, RangeBody{TState})"/> splits at.
    /// </summary>
    public static void ForRows<TState>(int rows, int cols, ref TState state, RangeBody<TState> body) =>
        For(rows, Math.Max(1, MinimumElementsPerChunk / Math.Max(1, cols)), ref state, body);

    /// <summary>The caller's state and body with the chunking: what each part of the team reads.</summary>
    private readonly unsafe struct Split<TState>(void* state, RangeBody<TState> body, int length, long chunk)
    {
        public readonly void* State = state;
        public readonly RangeBody<TState> Body = body;
        public readonly int Length = length;
        public readonly long Chunk = chunk;
    }
}

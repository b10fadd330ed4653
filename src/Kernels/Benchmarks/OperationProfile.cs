namespace GpuVae.Kernels.Benchmarks;

/// <summary>
/// Calls, milliseconds and the bytes the calls must move at the least, per operation name, filled while it is a backend's
/// <see cref="Backend.Profile"/>. Each operation is charged from its call until the device
/// has finished it (a synchronize before and after), which serializes host and device: the
/// totals exceed an unprofiled step by the overlap lost and two synchronizes a call. They show
/// where a step's time goes, not how long it takes.
/// </summary>
public sealed class OperationProfile
{
    private readonly Dictionary<string, (int Calls, double Milliseconds, long Bytes)> totals = [];

    public IReadOnlyDictionary<string, (int Calls, double Milliseconds, long Bytes)> Totals => totals;

    public void Reset() => totals.Clear();

    internal void Add(string operation, double milliseconds, long bytes)
    {
        var (calls, sum, traffic) = totals.GetValueOrDefault(operation);
        totals[operation] = (calls + 1, sum + milliseconds, traffic + bytes);
    }
}

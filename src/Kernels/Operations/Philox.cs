using GpuVae.Kernels.Host;

namespace GpuVae.Kernels.Operations;

/// <summary>Four 32-bit words: one Philox counter or one block of its output.</summary>
public struct UInt4
{
    public uint X;
    public uint Y;
    public uint Z;
    public uint W;

    public UInt4(uint x, uint y, uint z, uint w)
    {
        X = x;
        Y = y;
        Z = z;
        W = w;
    }
}

/// <summary>
/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", 2011): a
/// counter-based generator. The same (seed, counter) gives the same bits on every
/// accelerator and every launch shape, which is what makes dropout masks and noise
/// reproducible across the host, ILGPU's CPU accelerator and a GPU. Plain integer code, so
/// kernels and references share it.
/// </summary>
public static class Philox
{
    // Internal, not private: HostPhilox's vector generator runs the same rounds.
    internal const uint MultiplierA = 0xD2511F53;
    internal const uint MultiplierB = 0xCD9E8D57;
    internal const uint KeyStepA = 0x9E3779B9;
    internal const uint KeyStepB = 0xBB67AE85;
    internal const int Rounds = 10;

    /// <summary>The 4x32 output block for counter (element, stream, purpose) under seed.</summary>
    public static UInt4 Generate(ulong seed, ulong stream, uint element, uint purpose)
    {
        var counter = new UInt4(element, (uint)stream, (uint)(stream >> 32), purpose);
        uint keyA = (uint)seed;
        uint keyB = (uint)(seed >> 32);
        for (int round = 0; round < Rounds; round++)
        {
            ulong productA = (ulong)MultiplierA * counter.X;
            ulong productB = (ulong)MultiplierB * counter.Z;
            counter = new UInt4(
                (uint)(productB >> 32) ^ counter.Y ^ keyA,
                (uint)productB,
                (uint)(productA >> 32) ^ counter.W ^ keyB,
                (uint)productA);
            keyA += KeyStepA;
            keyB += KeyStepB;
        }

        return counter;
    }

    /// <summary>Uniform in [0, 1) with 24 random bits, exactly representable in float.</summary>
    public static float UniformOpenAbove(uint bits) => (bits >> 8) * (1.0f / 16777216.0f);

    /// <summary>Uniform in (0, 1]: safe to take the logarithm of.</summary>
    public static float UniformOpenBelow(uint bits) => ((bits >> 8) + 1) * (1.0f / 16777216.0f);
}

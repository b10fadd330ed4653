using GpuVae.Kernels.Host;
using Xunit;

namespace GpuVae.Tests.Kernels.Host;

/// <summary>HostParallel.For's chunks: every index exactly once, each chunk starting on a multiple of 64.</summary>
public sealed class HostParallelTests
{
    /// <summary>
    /// 65537 is the case that lost its last element when chunks were floor(length / chunks)
    /// rounded up to 64: two chunks of 32768 (on two or more cores).
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(65536)]
    [InlineData(65537)]
    [InlineData(100_003)]
    [InlineData(392_001)]
    public void ChunksCoverEveryIndexOnce(int length)
    {
        int[] visits = new int[length];
        HostParallel.For(length, ref visits, static (ref visits, start, end) =>
        {
            Assert.Equal(0, start % 64);
            for (int i = start; i < end; i++)
            {
                Interlocked.Increment(ref visits[i]);
            }
        });

        Assert.All(visits, count => Assert.Equal(1, count));
    }

    [Theory]
    [InlineData(1, 4096)]
    [InlineData(8191, 4096)]
    [InlineData(8192, 4096)]
    [InlineData(64000, 4096)]
    [InlineData(64001, 4096)]
    [InlineData(100_003, 1)]
    public void ChunksWithASmallerMinimumCoverEveryIndexOnce(int length, int minimumElementsPerChunk)
    {
        int[] visits = new int[length];
        HostParallel.For(length, minimumElementsPerChunk, ref visits, static (ref visits, start, end) =>
        {
            Assert.Equal(0, start % 64);
            for (int i = start; i < end; i++)
            {
                Interlocked.Increment(ref visits[i]);
            }
        });

        Assert.All(visits, count => Assert.Equal(1, count));
    }

    [Fact]
    public void MinimumMustBePositive()
    {
        int unused = 0;
        Assert.Throws<ArgumentOutOfRangeException>(() => HostParallel.For(10, 0, ref unused, static (ref _, _, _) => { }));
    }
}

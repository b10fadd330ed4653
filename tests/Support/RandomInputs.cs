using Xunit;
namespace GpuVae.Tests.Support;

/// <summary>
/// Fresh random inputs for each test from a seed written to the test's output, so a failure
/// can be replayed: set GPUVAE_TEST_SEED to that seed.
/// </summary>
public sealed class RandomInputs
{
    private readonly Random random;

    public RandomInputs()
    {
        string? fixedSeed = Environment.GetEnvironmentVariable("GPUVAE_TEST_SEED");
        Seed = fixedSeed is null ? Random.Shared.Next() : int.Parse(fixedSeed, System.Globalization.CultureInfo.InvariantCulture);
        random = new Random(Seed);
        TestContext.Current.TestOutputHelper?.WriteLine($"seed {Seed} (replay with GPUVAE_TEST_SEED={Seed})");
    }

    public int Seed { get; }

    /// <summary>Uniform in [low, high).</summary>
    public float[] Uniform(int length, float low = -1, float high = 1)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = low + ((high - low) * random.NextSingle());
        }

        return values;
    }

    public float Scalar(float low = -1, float high = 1) => low + ((high - low) * random.NextSingle());

    public int Next(int maxExclusive) => random.Next(maxExclusive);

    public ulong NextSeed() => (ulong)random.NextInt64();
}

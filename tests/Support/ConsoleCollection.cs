using Xunit;

namespace GpuVae.Tests.Support;

/// <summary>Tests that redirect Console.Out and Console.Error, process-wide state, run alone.</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;

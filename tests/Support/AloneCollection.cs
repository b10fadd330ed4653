using Xunit;

namespace GpuVae.Tests.Support;

/// <summary>
/// Tests that observe the whole process run alone: which thread runs each part of a HostTeam job
/// (while another test's GEMM holds the team, a job runs all its parts on the calling thread),
/// and the bytes allocated on every thread.
/// </summary>
[CollectionDefinition(nameof(AloneCollection), DisableParallelization = true)]
public sealed class AloneCollection;

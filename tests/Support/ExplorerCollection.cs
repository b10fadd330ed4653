using Xunit;

namespace GpuVae.Tests.Support;

/// <summary>The API and browser tests share one served dim-2 model.</summary>
[CollectionDefinition(nameof(ExplorerCollection))]
public sealed class ExplorerCollection : ICollectionFixture<ExplorerFixture>;

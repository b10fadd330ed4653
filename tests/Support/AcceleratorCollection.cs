using Xunit;
namespace GpuVae.Tests.Support;

/// <summary>Kernel tests share one backend per accelerator and its single stream, so they run one at a time.</summary>
[CollectionDefinition(nameof(AcceleratorCollection))]
public sealed class AcceleratorCollection;

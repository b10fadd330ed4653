using System.Runtime.CompilerServices;

// The download tests drive MnistDownload through its internal seam (a fake package and
// fake checksums) so that the failure paths run without npm or a network.
[assembly: InternalsVisibleTo("GpuVae.Tests")]

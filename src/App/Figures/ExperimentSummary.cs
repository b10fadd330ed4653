namespace GpuVae.App.Figures;

/// <summary>
/// What the report needs to know about a sweep: how it was run (the command line, the git
/// commit, the accelerator kind such as CUDA or CPU and its device name, epochs per dim, wall
/// time of the whole run) and each dim's result.
/// </summary>
public sealed record ExperimentSummary(
    string Command,
    string GitCommit,
    string Accelerator,
    string Device,
    int Epochs,
    TimeSpan WallTime,
    IReadOnlyList<DimResult> Dims);

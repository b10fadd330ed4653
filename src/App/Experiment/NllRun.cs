using GpuVae.Model.Network;

namespace GpuVae.App.Experiment;

/// <summary>A run whose importance-weighted NLL is wanted: its folder (where nll.csv is cached), its model and its weights file's sha256.</summary>
public sealed record NllRun(string RunDirectory, Vae Model, string ModelSha256);

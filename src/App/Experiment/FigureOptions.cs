namespace GpuVae.App.Experiment;

/// <summary>What the pictures show: the manifold's grid and range, how many codes the z maps plot.</summary>
public sealed record FigureOptions(int ManifoldSize = 20, float ManifoldRange = 2, int ZMapImages = 5000);

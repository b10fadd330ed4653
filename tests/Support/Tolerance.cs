namespace GpuVae.Tests.Support;

/// <summary>An element passes when |actual - expected| &lt;= Absolute + Relative * |expected|.</summary>
public readonly record struct Tolerance(double Absolute, double Relative)
{
    public static readonly Tolerance Exact = new(0, 0);

    public double Bound(double expected) => Absolute + (Relative * Math.Abs(expected));

    public override string ToString() => $"atol {Absolute:G3} + rtol {Relative:G3} * |ref|";
}

using GpuVae.Model.Training;
using Xunit;

namespace GpuVae.Tests.Model.Training;

public sealed class LearningRateScheduleTests
{
    [Fact]
    public void BurdaIsTheirEightStagesWithTheirRounding()
    {
        var schedule = LearningRateSchedule.Burda;

        // yburda/iwae experiments.py: 3^(i-1) passes at 1e-4 * round(10^(1 - (i-1)/7), 1) for i = 1..8.
        Assert.Equal([1, 3, 9, 27, 81, 243, 729, 2187], schedule.Stages.Select(stage => stage.Passes));
        Assert.Equal([1e-3f, 7.2e-4f, 5.2e-4f, 3.7e-4f, 2.7e-4f, 1.9e-4f, 1.4e-4f, 1e-4f], schedule.Stages.Select(stage => stage.Rate));
        Assert.Equal(3280, schedule.Passes);
        Assert.Same(schedule, LearningRateSchedule.Parse("Burda"));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(4, 1)]
    [InlineData(5, 2)]
    [InlineData(13, 2)]
    [InlineData(14, 3)]
    [InlineData(1093, 6)]
    [InlineData(1094, 7)]
    [InlineData(3280, 7)]
    [InlineData(5000, 7)]
    public void APassRunsInTheStageThatHoldsItAndTheLastRateGoesOn(int epoch, int stage)
    {
        var schedule = LearningRateSchedule.Burda;

        Assert.Equal(stage, schedule.StageOf(epoch));
        Assert.Equal(schedule.Stages[stage].Rate, schedule.RateOf(epoch));
    }

    [Theory]
    [InlineData("burda")]
    [InlineData("0.001")]
    [InlineData("2.5E-05")]
    [InlineData("1:1e-3,3:7.2e-4")]
    [InlineData(" 2 : 0.01 , 5:0.002,1:3e-4 ")]
    public void TheTextReadsBackToAnEqualSchedule(string text)
    {
        var schedule = LearningRateSchedule.Parse(text);

        var again = LearningRateSchedule.Parse(schedule.ToString());

        Assert.Equal(schedule, again);
        Assert.Equal(schedule.Stages, again.Stages);
        Assert.Equal(schedule.ToString(), again.ToString());
    }

    [Fact]
    public void ConstantIsOneRateForEveryPass()
    {
        var schedule = LearningRateSchedule.Parse("0.001");

        Assert.True(schedule.IsConstant);
        Assert.Equal(LearningRateSchedule.Constant(1e-3f), schedule);
        Assert.Equal("0.001", schedule.ToString());
        Assert.All(new[] { 1, 2, 20, 10_000 }, epoch => Assert.Equal(1e-3f, schedule.RateOf(epoch)));
        Assert.NotEqual(LearningRateSchedule.Constant(2e-3f), schedule);
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Constant(0));
    }

    [Theory]
    [InlineData("", "''")]
    [InlineData("fast", "'fast'")]
    [InlineData("-0.001", "'-0.001'")]
    [InlineData("1:abc", "'1:abc'")]
    [InlineData("0:1e-3", "'0:1e-3'")]
    [InlineData("1.5:1e-3", "'1.5:1e-3'")]
    [InlineData("1:1e-3,3", "'3'")]
    [InlineData("1:1e-3,3:0", "'3:0'")]
    [InlineData("1:1e-3:2", "'1:1e-3:2'")]
    [InlineData("1:NaN", "'1:NaN'")]
    public void AMalformedTextNamesTheWrongPiece(string text, string piece)
    {
        var error = Assert.Throws<FormatException>(() => LearningRateSchedule.Parse(text));

        Assert.Contains(piece, error.Message, StringComparison.Ordinal);
    }
}

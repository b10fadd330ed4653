using System.Globalization;

namespace GpuVae.Model.Training;

/// <summary>
/// The learning rate of every pass over the training set, as stages run in order: each stage
/// runs its passes at its rate, and the last stage's rate goes on past the end of the list.
/// The rate is a function of the pass (epoch) alone, so a run resumed mid-stage, even
/// mid-epoch, continues at exactly the rate it stopped at. A checkpoint records the
/// schedule's text, which <see cref="Parse"/> reads back to an equal schedule.
/// </summary>
public sealed class LearningRateSchedule : IEquatable<LearningRateSchedule>
{
    /// <summary>The name of Burda et al.'s schedule for <see cref="Parse"/>.</summary>
    public const string BurdaName = "burda";

    private LearningRateSchedule(IReadOnlyList<LearningRateStage> stages)
    {
        Stages = stages;
    }

    /// <summary>The stages in the order they run; a constant rate is one stage.</summary>
    public IReadOnlyList<LearningRateStage> Stages { get; }

    /// <summary>Passes the stages add up to: where the last stage's rate starts to go on alone.</summary>
    public int Passes => Stages.Sum(stage => stage.Passes);

    /// <summary>Whether every pass runs at one rate.</summary>
    public bool IsConstant => Stages.Count == 1;

    /// <summary>
    /// Burda et al. 2015 (yburda/iwae, experiments.py): stage i = 0..7 runs 3^i passes at
    /// 1e-4 * round(10^(1 - i/7), 1), the rounding their code does, so 1e-3, 7.2e-4, 5.2e-4,
    /// 3.7e-4, 2.7e-4, 1.9e-4, 1.4e-4, 1e-4: 3,280 passes in all.
    /// </summary>
    public static LearningRateSchedule Burda { get; } = new(
        [.. Enumerable.Range(0, 8).Select(i => new LearningRateStage(
            (int)Math.Pow(3, i),
            (float)(1e-4 * Math.Round(Math.Pow(10, 1 - i / 7.0), 1, MidpointRounding.ToEven))))]);

    /// <summary>One rate for every pass: the TensorFlow original's Adam at 1e-3 by default.</summary>
    public static LearningRateSchedule Constant(float rate) =>
        rate > 0 && float.IsFinite(rate)
            ? new([new LearningRateStage(1, rate)])
            : throw new ArgumentOutOfRangeException(nameof(rate), rate, "a learning rate must be a positive number");

    /// <summary>
    /// "burda", a bare rate ("0.001": one rate for every pass), or stages "passes:rate,..."
    /// ("1:1e-3,3:7.2e-4": one pass at 1e-3, then 7.2e-4 from then on). A malformed text is a
    /// FormatException naming the piece that is wrong.
    /// </summary>
    public static LearningRateSchedule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        if (trimmed.Equals(BurdaName, StringComparison.OrdinalIgnoreCase))
        {
            return Burda;
        }

        if (!trimmed.Contains(':', StringComparison.Ordinal))
        {
            return Constant(ParseRate(trimmed, trimmed));
        }

        var stages = new List<LearningRateStage>();
        foreach (string piece in trimmed.Split(','))
        {
            string[] parts = piece.Split(':');
            if (parts.Length != 2)
            {
                throw new FormatException($"'{piece}' is not passes:rate");
            }

            if (!int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int passes) || passes <= 0)
            {
                throw new FormatException($"'{piece}': the passes must be a positive whole number");
            }

            stages.Add(new LearningRateStage(passes, ParseRate(parts[1].Trim(), piece)));
        }

        return new LearningRateSchedule(stages);
    }

    /// <summary>The rate of pass <paramref name="epoch"/>, counted from 1.</summary>
    public float RateOf(int epoch) => Stages[StageOf(epoch)].Rate;

    /// <summary>The stage pass <paramref name="epoch"/> (from 1) runs in, counted from 0; past the list, the last.</summary>
    public int StageOf(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epoch);
        int end = 0;
        for (int stage = 0; stage < Stages.Count; stage++)
        {
            end += Stages[stage].Passes;
            if (epoch <= end)
            {
                return stage;
            }
        }

        return Stages.Count - 1;
    }

    /// <summary>The text <see cref="Parse"/> reads back: the bare rate of a constant schedule, else every stage as passes:rate.</summary>
    public override string ToString() =>
        IsConstant
            ? Format(Stages[0].Rate)
            : string.Join(",", Stages.Select(stage => $"{stage.Passes.ToString(CultureInfo.InvariantCulture)}:{Format(stage.Rate)}"));

    public bool Equals(LearningRateSchedule? other) =>
        other is not null && (IsConstant && other.IsConstant ? Stages[0].Rate == other.Stages[0].Rate : Stages.SequenceEqual(other.Stages));

    public override bool Equals(object? obj) => Equals(obj as LearningRateSchedule);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    private static string Format(float rate) => rate.ToString("R", CultureInfo.InvariantCulture);

    private static float ParseRate(string text, string piece)
    {
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float rate))
        {
            throw new FormatException($"'{piece}': '{text}' is not a number");
        }

        return rate > 0 && float.IsFinite(rate)
            ? rate
            : throw new FormatException($"'{piece}': a learning rate must be a positive number, not {text}");
    }
}

namespace GpuVae.Model.Network;

/// <summary>Labels as the conditional VAE reads them: one row of C floats per image, 1 at the label's class, 0 elsewhere.</summary>
public static class LabelOneHots
{
    /// <summary>(N, C) one-hot rows of labels (N), each below classes.</summary>
    public static float[] Of(ReadOnlySpan<byte> labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        var rows = new float[labels.Length * classes];
        for (int n = 0; n < labels.Length; n++)
        {
            if (labels[n] >= classes)
            {
                throw new ArgumentException($"label {labels[n]} of image {n} is not below the {classes} classes", nameof(labels));
            }

            rows[(n * classes) + labels[n]] = 1;
        }

        return rows;
    }

    /// <summary>(N, C): every row the one-hot of the same class.</summary>
    public static float[] Repeat(int label, int count, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(label, classes);
        var rows = new float[count * classes];
        for (int n = 0; n < count; n++)
        {
            rows[(n * classes) + label] = 1;
        }

        return rows;
    }
}

using System.Globalization;
using GpuVae.Model.Network;

namespace GpuVae;

/// <summary>
/// The facade's checks of what a user passes, made before anything reaches a kernel: every
/// failure is an <see cref="ArgumentException"/> naming the argument, the element and the value.
/// </summary>
internal static class Inputs
{
    /// <summary>N, the images in values (N, D): at least one, whole images, every pixel a finite number in [0, 1].</summary>
    public static int Images(ReadOnlySpan<float> values, int pixels, string parameter)
    {
        int count = Rows(values, pixels, "images of", "pixels", parameter);
        for (int i = 0; i < values.Length; i++)
        {
            if (!(values[i] >= 0 && values[i] <= 1))
            {
                throw new ArgumentException(
                    $"{parameter}: pixel {i % pixels} of image {i / pixels} is {Text(values[i])}; pixels must be finite numbers in [0, 1]", parameter);
            }
        }

        return count;
    }

    /// <summary>N, the codes in values (N, Z): at least one, whole codes, every element finite.</summary>
    public static int Codes(ReadOnlySpan<float> values, int latent, string parameter)
    {
        int count = Rows(values, latent, "codes z of", "values", parameter);
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new ArgumentException(
                    $"{parameter}: element {i % latent} of code {i / latent} is {Text(values[i])}; z must hold finite numbers", parameter);
            }
        }

        return count;
    }

    /// <summary>
    /// The one-hot rows (N, C) of labels for a conditional model, each label in [0, C); empty for
    /// a plain VAE, which takes none.
    /// </summary>
    public static float[] Labels(ReadOnlySpan<int> labels, int count, VaeModelConfig config, string parameter)
    {
        if (!config.Conditional)
        {
            return labels.IsEmpty
                ? []
                : throw new ArgumentException($"{parameter}: a plain VAE takes no labels, got {labels.Length}", parameter);
        }

        if (labels.Length != count)
        {
            throw new ArgumentException(
                $"{parameter}: a conditional model needs one class label per image or code ({count.ToString(CultureInfo.InvariantCulture)}), got {labels.Length.ToString(CultureInfo.InvariantCulture)}", parameter);
        }

        var bytes = new byte[count];
        for (int n = 0; n < count; n++)
        {
            bytes[n] = labels[n] >= 0 && labels[n] < config.Classes
                ? (byte)labels[n]
                : throw new ArgumentException($"{parameter}: label {labels[n]} at index {n} is not a class of this model, 0 to {config.Classes - 1}", parameter);
        }

        return LabelOneHots.Of(bytes, config.Classes);
    }

    /// <summary>Labels given as ints, checked to be 0 to 255 (the classes an IDX label file can hold), as bytes.</summary>
    public static byte[] ClassBytes(int[] labels, int count, string parameter)
    {
        if (labels.Length != count)
        {
            throw new ArgumentException($"{parameter}: {labels.Length} labels for {count} images", parameter);
        }

        var bytes = new byte[count];
        for (int n = 0; n < count; n++)
        {
            bytes[n] = labels[n] is >= 0 and <= byte.MaxValue
                ? (byte)labels[n]
                : throw new ArgumentException($"{parameter}: label {labels[n]} at index {n} is not a class 0 to {byte.MaxValue}", parameter);
        }

        return bytes;
    }

    private static int Rows(ReadOnlySpan<float> values, int width, string what, string unit, string parameter)
    {
        if (values.IsEmpty || values.Length % width != 0)
        {
            throw new ArgumentException(
                $"{parameter}: {values.Length} values are not one or more {what} {width} {unit}", parameter);
        }

        return values.Length / width;
    }

    private static string Text(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}

namespace GpuVae;

/// <summary>What a saved model is: its sizes, its images' shape and what it conditions on.</summary>
/// <param name="Latent">Z, the latent dimension: the length of one code z.</param>
/// <param name="Encoder">The encoder's hidden layers as width:activation, in order (the original's: 500:elu,500:tanh).</param>
/// <param name="Decoder">The decoder's hidden layers as width:activation, in order (the original's: 500:tanh,500:elu).</param>
/// <param name="Pixels">D, the pixels of one image (ImageRows x ImageCols): the length of one image.</param>
/// <param name="ImageRows">Rows of one image.</param>
/// <param name="ImageCols">Columns of one image.</param>
/// <param name="Classes">C, the classes a conditional model reads (labels 0 to C - 1); 0 for a plain VAE.</param>
/// <param name="Binarized">Whether it was trained on dynamically binarized pixels (and is best evaluated on 0/1 images).</param>
public sealed record VaeModelConfig(int Latent, string Encoder, string Decoder, int Pixels, int ImageRows, int ImageCols, int Classes, bool Binarized)
{
    /// <summary>Whether this is the conditional VAE: every encode, decode and bound then takes a class label per image or code.</summary>
    public bool Conditional => Classes > 0;
}

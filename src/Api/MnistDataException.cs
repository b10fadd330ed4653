namespace GpuVae;

/// <summary>
/// The one error the data module throws for anything wrong with MNIST on disk or on its way
/// there: a missing, unreadable or malformed IDX file, images and labels that disagree, or a
/// download that failed (npm missing or failing, a checksum mismatch). The message is one
/// line that names the file (or directory) and what is wrong, fit to show a user as is.
/// </summary>
internal sealed class MnistDataException : Exception
{
    public MnistDataException()
    {
    }

    public MnistDataException(string message)
        : base(message)
    {
    }

    public MnistDataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// A well-formed IDX file of something other than 8-bit grayscale images (another element
    /// type, colour channels): the user pointed --data at the wrong kind of file, a usage error.
    /// </summary>
    public bool WrongKind { get; init; }
}

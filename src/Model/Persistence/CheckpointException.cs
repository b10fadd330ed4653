namespace GpuVae.Model.Persistence;

/// <summary>A checkpoint file is missing, malformed, or does not fit the model asked for.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string message)
        : base(message)
    {
    }

    public CheckpointException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

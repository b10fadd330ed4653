using GpuVae.App.Data;
using GpuVae.Kernels.Ilgpu;

namespace GpuVae.App.Commands;

/// <summary>
/// Runs a command's body and turns every failure into one line on stderr and an exit code:
/// 2 for bad usage (an option out of range, an accelerator that is absent), 130 for Ctrl-C,
/// 1 for anything else. Set GPUVAE_TRACE=1 to see the stack trace as well.
/// </summary>
public static class CommandRunner
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;
    public const int Interrupted = 130;

    public static int Run(Func<CancellationToken, int> body)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl-C asks the loop to stop after its current step; a second one kills.
            e.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return body(cancellation.Token);
        }
        catch (Exception e) when (e is UsageException or AcceleratorUnavailableException)
        {
            // Asking for an accelerator or device that is not there is a usage error too.
            Console.Error.WriteLine($"error: {e.Message}");
            return UsageError;
        }
        catch (MnistDataException e) when (e.WrongKind)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return UsageError;
        }
        catch (DeviceMemoryException e)
        {
            // The kernels say what did not fit; which options shrink it is the command line's to say.
            Console.Error.WriteLine($"error: {e.Message}; a smaller --batch-size or --hidden needs less");
            return Failure;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Console.Error.WriteLine("interrupted: the run is saved where it stopped; --resume continues it");
            return Interrupted;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            if (Environment.GetEnvironmentVariable("GPUVAE_TRACE") == "1")
            {
                Console.Error.WriteLine(e);
            }

            return Failure;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}

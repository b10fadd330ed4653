using GpuVae.App;
using Xunit;

namespace GpuVae.Tests.Support;

/// <summary>The command line run in this process, for tests in the <see cref="ConsoleCollection"/>.</summary>
internal static class InProcessCli
{
    /// <summary>Runs a command that must fail; returns its exit code and stderr, which must say why without a stack trace.</summary>
    public static (int Code, string Error) Run(string[] arguments)
    {
        var original = Console.Error;
        var originalOut = Console.Out;
        using var error = new StringWriter();
        Console.SetError(error);
        Console.SetOut(TextWriter.Null);
        try
        {
            int code = Cli.Run(arguments);
            string text = error.ToString();
            Assert.False(string.IsNullOrWhiteSpace(text), "a failure must say why on stderr");
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            return (code, text);
        }
        finally
        {
            Console.SetError(original);
            Console.SetOut(originalOut);
        }
    }

    /// <summary>Runs any command; returns its exit code, stdout and stderr.</summary>
    public static (int Code, string Output, string Error) RunCapturing(string[] arguments)
    {
        var original = Console.Error;
        var originalOut = Console.Out;
        using var error = new StringWriter();
        using var output = new StringWriter();
        Console.SetError(error);
        Console.SetOut(output);
        try
        {
            int code = Cli.Run(arguments);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetError(original);
            Console.SetOut(originalOut);
        }
    }
}

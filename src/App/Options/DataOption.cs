using System.CommandLine;

namespace GpuVae.App.Options;

/// <summary>--data: the folder of MNIST's IDX files, declared and validated once for every command that reads images.</summary>
public sealed class DataOption
{
    public Option<string> Data { get; } = new("--data")
    {
        Description = "Folder with the IDX files: MNIST's (downloaded there if missing) or your own 8-bit grayscale images of any size under the same names (labels optional; nothing is downloaded when both image files are there)",
        DefaultValueFactory = _ => Path.Combine("data", "mnist"),
    };

    public string Read(ParseResult parse)
    {
        string folder = parse.GetValue(Data)!;
        if (string.IsNullOrWhiteSpace(folder))
        {
            throw new UsageException("--data must name a folder");
        }

        if (File.Exists(folder))
        {
            throw new UsageException($"--data {folder} is a file; it must be the folder that holds (or will hold) the MNIST IDX files");
        }

        return folder;
    }
}

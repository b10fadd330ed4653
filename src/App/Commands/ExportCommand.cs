using System.CommandLine;
using GpuVae.Model.Network;
using GpuVae.Model.Persistence;

namespace GpuVae.App.Commands;

/// <summary>
/// `GpuVae export`: a saved model as encoder.onnx and decoder.onnx for ONNX Runtime and other
/// runtimes (<see cref="OnnxExport"/>). The checkpoint is read whole before anything is
/// written, and the two files appear together or not at all.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A run folder holding model.safetensors, e.g. save/dim20", Required = true };
        var output = new Option<string>("--out") { Description = $"The folder to write {OnnxExport.EncoderFileName} and {OnnxExport.DecoderFileName} into (created if absent)", Required = true };
        var command = new Command("export", $"Export a saved model as ONNX (opset {OnnxExport.Opset}): {OnnxExport.EncoderFileName} and {OnnxExport.DecoderFileName}") { checkpoint, output };
        command.SetAction(parse => CommandRunner.Run(_ =>
        {
            string directory = parse.GetValue(checkpoint)!;
            string folder = parse.GetValue(output)!;
            if (!Directory.Exists(directory))
            {
                throw new UsageException($"--checkpoint {directory}: no such folder");
            }

            if (File.Exists(folder))
            {
                throw new UsageException($"--out {folder}: is a file, not a folder");
            }

            OnnxExport export;
            try
            {
                export = OnnxExport.FromCheckpoint(directory);
            }
            catch (CheckpointException e)
            {
                // Its message names the file and what is wrong with it.
                throw new UsageException($"--checkpoint {directory}: {e.Message}");
            }

            try
            {
                export.WriteTo(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                throw new UsageException($"--out {folder}: cannot write there: {e.Message}");
            }

            Console.WriteLine($"{Path.Combine(folder, OnnxExport.EncoderFileName)}, {Path.Combine(folder, OnnxExport.DecoderFileName)}: "
                + $"{ModelKinds.Name(export.Config.Kind)}, dim {export.Config.Latent}, encoder {HiddenSpecs.Format(export.Config.Encoder)}, decoder {HiddenSpecs.Format(export.Config.Decoder)}, opset {OnnxExport.Opset}");
            return CommandRunner.Success;
        }));
        return command;
    }
}

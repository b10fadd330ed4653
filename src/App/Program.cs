return GpuVae.App.Cli.Run(args);

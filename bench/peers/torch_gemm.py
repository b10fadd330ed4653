#!/usr/bin/env python3
"""Times torch.matmul (cuBLAS on a GPU, OpenBLAS or MKL on a CPU) at every GEMM shape of
GpuVae's training step, read from `GpuVae bench --json`'s output, float32 with TF32 off, and prints one JSON line per shape in the
names `GpuVae bench --json` uses, so the two can be joined on (name, m, n, k).

Two times per shape, as GpuVae's bench: ms, one call from launch to synchronize, and
back_to_back_ms, per call of 20 queued back to back, which gflops is computed from. On a GPU
the 20 are replayed from a CUDA graph, so no Python overhead sits between them: that is
cuBLAS's kernel time, a bar our eagerly launched kernels can only meet.
"""
import argparse
import json
import statistics
import time

import torch

def step_gemms(bench_json):
    """The step's GEMMs as `GpuVae bench --json` timed them (the model states its shapes once,
    in GpuVae.Model's TrainingStep.Gemms): (name, layer, m, n, k) of each default-kernel row."""
    with open(bench_json) as f:
        kernels = json.load(f)["kernels"]
    for row in kernels:
        if row["k"] > 0 and row["variant"] == "default":
            yield row["name"], row["layer"], row["m"], row["n"], row["k"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", required=True, help="the JSON file `GpuVae bench --json` wrote: its GEMM rows are timed")
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--launches-per-sync", type=int, default=20)
    args = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device(args.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for name, layer, m, n, k in step_gemms(args.shapes):
        # Operands stored as GpuVae stores them: a transposed operand is the transpose of a
        # contiguous matrix, so cuBLAS sees the same memory layout our kernels do.
        a = torch.rand(k, m, device=device).t() if name == "gemm_tn" else torch.rand(m, k, device=device)
        b = torch.rand(n, k, device=device).t() if name == "gemm_nt" else torch.rand(k, n, device=device)
        out = torch.matmul(a, b)
        for _ in range(20):
            torch.matmul(a, b, out=out)
        sync()
        ms = 1000 * median_seconds(lambda: torch.matmul(a, b, out=out), sync, args.repeats)
        queued = back_to_back(lambda: torch.matmul(a, b, out=out), device, args.launches_per_sync)
        back_to_back_ms = 1000 * median_seconds(queued, sync, args.repeats) / args.launches_per_sync
        print(json.dumps({"peer": f"torch {torch.__version__}", "device": args.device, "name": name, "layer": layer,
                          "m": m, "n": n, "k": k, "ms": ms, "back_to_back_ms": back_to_back_ms,
                          "gflops": 2 * m * n * k / (back_to_back_ms * 1e6)}))


def back_to_back(call, device, count):
    """count calls in one go: a CUDA graph replay on a GPU, a plain loop on a CPU."""
    if device.type != "cuda":
        def loop():
            for _ in range(count):
                call()
        return loop
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        call()  # cuBLAS picks its workspace and kernel before capture
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    try:
        with torch.cuda.graph(graph):
            for _ in range(count):
                call()
    except RuntimeError as error:
        raise SystemExit(f"torch_gemm.py: capturing {count} matmuls in a CUDA graph failed: {error}") from error
    return graph.replay


def median_seconds(call, sync, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


if __name__ == "__main__":
    main()

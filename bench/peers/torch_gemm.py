#!/usr/bin/env python3
"""Times torch.matmul (cuBLAS on a GPU, OpenBLAS or MKL on a CPU) at every GEMM shape of
GpuVae's training step, float32 with TF32 off, and prints one JSON line per shape in the
names `GpuVae bench --json` uses, so the two can be joined on (name, m, n, k).
"""
import argparse
import json
import statistics
import time

import torch

BATCH, PIXELS, HIDDEN = 128, 784, 500


def step_gemms(latent):
    layers = [("encoder.hidden0", PIXELS, HIDDEN), ("encoder.hidden1", HIDDEN, HIDDEN),
              ("encoder.output", HIDDEN, 2 * latent), ("decoder.hidden0", latent, HIDDEN),
              ("decoder.hidden1", HIDDEN, HIDDEN), ("decoder.output", HIDDEN, PIXELS)]
    for layer, inputs, outputs in layers:
        yield "gemm_nn", layer, BATCH, outputs, inputs
    for layer, inputs, outputs in layers[1:]:
        yield "gemm_nt", layer, BATCH, inputs, outputs
    for layer, inputs, outputs in layers:
        yield "gemm_tn", layer, inputs, outputs, BATCH


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dim", type=int, default=20)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device(args.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for name, layer, m, n, k in step_gemms(args.dim):
        # Operands stored as GpuVae stores them: a transposed operand is the transpose of a
        # contiguous matrix, so cuBLAS sees the same memory layout our kernels do.
        a = torch.rand(k, m, device=device).t() if name == "gemm_tn" else torch.rand(m, k, device=device)
        b = torch.rand(n, k, device=device).t() if name == "gemm_nt" else torch.rand(k, n, device=device)
        for _ in range(20):
            torch.matmul(a, b)
        sync()
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            torch.matmul(a, b)
            sync()
            times.append(time.perf_counter() - start)
        ms = 1000 * statistics.median(times)
        print(json.dumps({"peer": f"torch {torch.__version__}", "device": args.device, "name": name, "layer": layer,
                          "m": m, "n": n, "k": k, "ms": ms, "gflops": 2 * m * n * k / (ms * 1e6)}))


if __name__ == "__main__":
    main()

"""Runs GemmBench (our HostGemm) and OpenBLAS SGEMM through numpy at the same shapes, with
1 and 2 threads, and prints one table with the ratio ours / OpenBLAS. Called by run.sh."""

import argparse
import os
import subprocess
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits


def run_ours(dll, threads, dim, seconds):
    """Our table as {(shape, op): (ms, gflops)}, plus its header line. HostGemm threads over
    Environment.ProcessorCount, which DOTNET_PROCESSOR_COUNT sets."""
    env = dict(os.environ, DOTNET_PROCESSOR_COUNT=str(threads))
    out = subprocess.run(
        ["dotnet", dll, "--dim", str(dim), "--seconds", str(seconds)],
        env=env, check=True, capture_output=True, text=True).stdout
    header = next(line for line in out.splitlines() if line.startswith("#"))
    rows = {}
    for line in out.splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) == 4 and cells[0] != "shape":
            rows[(cells[0], cells[1])] = (float(cells[2]), float(cells[3]))
    return header, rows


def time_openblas(shape, op, threads, seconds, rng):
    """Median ms of one SGEMM through numpy, whose matmul hands transposed views to BLAS
    as transpose flags (no copy), so NT and TN time the same kernels ours does."""
    m, n, k = (int(x) for x in shape.split("x"))
    a = rng.uniform(-1, 1, (k, m) if op[0] == "T" else (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, k) if op[1] == "T" else (k, n)).astype(np.float32)
    a = a.T if op[0] == "T" else a
    b = b.T if op[1] == "T" else b
    c = np.empty((m, n), np.float32)
    with threadpool_limits(threads, user_api="blas"):
        start = time.perf_counter()
        i = 0
        while i < 50 or time.perf_counter() - start < 0.1:
            np.matmul(a, b, out=c)
            i += 1
        times = []
        start = time.perf_counter()
        while len(times) < 20 or time.perf_counter() - start < seconds:
            t0 = time.perf_counter()
            np.matmul(a, b, out=c)
            times.append(time.perf_counter() - t0)
    ms = sorted(times)[len(times) // 2] * 1e3
    return ms, 2.0 * m * n * k / (ms * 1e6)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ours", required=True, help="GemmBench.dll")
    parser.add_argument("--dim", type=int, default=20, help="latent dimension Z")
    parser.add_argument("--seconds", type=float, default=0.3, help="timed seconds per shape")
    args = parser.parse_args()

    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    for info in blas:
        print(f"# OpenBLAS {info.get('version')} kernel {info.get('architecture')} ({info.get('filepath')})")
    print(f"# env OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '')} "
          f"DOTNET_EnableAVX512={os.environ.get('DOTNET_EnableAVX512', '')}")

    rng = np.random.default_rng(1234)
    results = []
    for threads in (1, 2):
        header, ours = run_ours(args.ours, threads, args.dim, args.seconds)
        print(header)
        for (shape, op), (ms, gflops) in ours.items():
            blas_ms, blas_gflops = time_openblas(shape, op, threads, args.seconds, rng)
            results.append((threads, shape, op, ms, gflops, blas_ms, blas_gflops))

    print(f"{'thr':>3} | {'shape':<12} | {'op':<2} | {'ours ms':>8} | {'GFLOP/s':>7} | "
          f"{'OpenBLAS ms':>11} | {'GFLOP/s':>7} | {'ours/OB':>7}")
    for threads, shape, op, ms, gflops, blas_ms, blas_gflops in results:
        print(f"{threads:>3} | {shape:<12} | {op:<2} | {ms:>8.4f} | {gflops:>7.1f} | "
              f"{blas_ms:>11.4f} | {blas_gflops:>7.1f} | {gflops / blas_gflops:>7.2f}")
    for threads in (1, 2):
        rows = [r for r in results if r[0] == threads]
        ours_ms = sum(r[3] for r in rows)
        blas_ms = sum(r[5] for r in rows)
        print(f"# {threads} thread(s): all shapes together {ours_ms:.3f} ms ours, {blas_ms:.3f} ms OpenBLAS, "
              f"time ratio OpenBLAS/ours {blas_ms / ours_ms:.2f}")


if __name__ == "__main__":
    main()

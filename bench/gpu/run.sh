#!/usr/bin/env bash
# Everything a GPU session measures, in one call of the device tool (15 minutes of device
# time in all). Prepare here:   ../shared/gpu/pack.sh     (writes .gpu/app.tar.xz and .gpu/mnist)
# then run there, carrying .gpu:   bash bench/gpu/run.sh
# Every number lands in $OUT (or ./gpu-results when OUT is unset).
set -uo pipefail
out=${OUT:-gpu-results}
mkdir -p "$out" /tmp/app
tar xJf .gpu/app.tar.xz -C /tmp/app
app=/tmp/app/GpuVae
# ILGPU opens libcuda.so by that name; drivers often ship only libcuda.so.1.
if ! ldconfig -p | grep -q 'libcuda\.so '; then
  real=$(ldconfig -p | awk '/libcuda\.so\.1 /{print $NF; exit}')
  if [ -n "$real" ]; then
    mkdir -p /tmp/cudalib && ln -sf "$real" /tmp/cudalib/libcuda.so
    export LD_LIBRARY_PATH=/tmp/cudalib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  fi
fi
step() { echo "== $*" | tee -a "$out/log.txt"; }

step devices;            $app devices 2>&1 | tee "$out/devices.txt"
step check cuda;         $app check --accelerator cuda 2>&1 | tee "$out/check_cuda.txt"
step bench cuda;         $app bench --accelerator cuda --gemm-variants --json "$out/bench_cuda.json" 2>&1 | tee "$out/bench_cuda.txt"
step cuBLAS via torch;   python3 bench/peers/torch_gemm.py --device cuda | tee "$out/torch_gemm_cuda.jsonl"
step PyTorch step;       python3 bench/peers/torch_vae.py --device cuda --dim 20 | tee "$out/torch_vae_cuda.jsonl"
step train dim 20;       ( time $app train --accelerator cuda --dim 20 --epochs 20 --data .gpu/mnist --out "$out/train" ) 2>&1 | tail -n 30 | tee "$out/train_cuda.txt"
python3 - "$out" <<'PY' | tee "$out/ratios.txt"
import json, sys
out = sys.argv[1]
ours = json.load(open(f"{out}/bench_cuda.json"))
peer = {(r["name"], r["m"], r["n"], r["k"]): r for r in map(json.loads, open(f"{out}/torch_gemm_cuda.jsonl"))}
for k in ours["kernels"]:
    key = (k["name"], k["m"], k["n"], k["k"])
    if key in peer:
        print(f'{k["name"]} {k["variant"]:16} {k["layer"]:16} {k["m"]}x{k["n"]}x{k["k"]}: ours {k["gflops"]:8.1f} GFLOP/s, cuBLAS {peer[key]["gflops"]:8.1f}, ratio {k["gflops"] / peer[key]["gflops"]:.2f}')
torch_step = json.loads(open(f"{out}/torch_vae_cuda.jsonl").readline())
print(f'dim-20 step: ours {ours["step"]["images_per_second"]:.0f} images/s, PyTorch {torch_step["images_per_second"]:.0f}, ratio {ours["step"]["images_per_second"] / torch_step["images_per_second"]:.2f}')
PY

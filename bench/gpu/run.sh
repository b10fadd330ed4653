#!/usr/bin/env bash
# Everything a GPU session measures, in one call of the device tool (15 minutes of device
# time in all). Prepare here:   ../shared/gpu/pack.sh     (writes .gpu/app.tar.xz and .gpu/mnist)
# then run there, carrying .gpu:   bash bench/gpu/run.sh
# Every number lands in $OUT (or ./gpu-results when OUT is unset); the ratios print last.
set -uo pipefail
out=${OUT:-gpu-results}
mkdir -p "$out" /tmp/app
tar xJf .gpu/app.tar.xz -C /tmp/app
app=/tmp/app/GpuVae
export PYTHONUNBUFFERED=1
# ILGPU opens libcuda.so by that name; drivers often ship only libcuda.so.1.
if ! ldconfig -p | grep -q 'libcuda\.so '; then
  real=$(ldconfig -p | awk '/libcuda\.so\.1 /{print $NF; exit}')
  if [ -n "$real" ]; then
    mkdir -p /tmp/cudalib && ln -sf "$real" /tmp/cudalib/libcuda.so
    export LD_LIBRARY_PATH=/tmp/cudalib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  fi
fi
# Each step has its own limit, so one that hangs cannot spend the session's device time.
step() { local limit=$1; shift; echo "== $* (limit ${limit}s)"; timeout "$limit" "$@"; echo "== exit $?"; }

{
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv
  step 60 $app devices
  step 120 $app check --accelerator cuda
} 2>&1 | tee "$out/check.txt"
step 240 $app bench --accelerator cuda --variants --json "$out/bench_cuda.json" 2>&1 | tee "$out/bench_cuda.txt"
{
  step 60 python3 bench/peers/torch_gemm.py --device cuda --shapes "$out/bench_cuda.json" > "$out/torch_gemm.jsonl"
  step 60 python3 bench/peers/torch_vae.py --device cuda --dim 20
} 2>&1 | tee "$out/torch_step.txt"
# A user's 20-epoch dim-20 training, ours and PyTorch's, each as a whole process.
{
  start=$(date +%s%N)
  step 300 $app train --accelerator cuda --dim 20 --epochs 20 --data .gpu/mnist --out /tmp/train
  echo "ours: process milliseconds $(( ($(date +%s%N) - start) / 1000000 ))"
  start=$(date +%s%N)
  step 300 python3 bench/peers/torch_vae.py --device cuda --dim 20 --epochs 20 --data .gpu/mnist
  echo "pytorch: process milliseconds $(( ($(date +%s%N) - start) / 1000000 ))"
} 2>&1 | tee "$out/train.txt"

# That machine also has a PoCL OpenCL device ILGPU accepts (a CPU one): the only OpenCL we can check.
step 90 $app check --accelerator opencl 2>&1 | tail -n 3 | tee "$out/check_opencl.txt"

python3 - "$out" <<'PY' 2>&1 | tee "$out/ratios.txt"
import json, re, sys
out = sys.argv[1]
ours = json.load(open(f"{out}/bench_cuda.json"))
peer = {(r["name"], r["m"], r["n"], r["k"]): r for r in (json.loads(l) for l in open(f"{out}/torch_gemm.jsonl") if l.startswith("{"))}
for k in ours["kernels"]:
    key = (k["name"], k["m"], k["n"], k["k"])
    if key in peer:
        p = peer[key]
        print(f'{k["name"]} {k["variant"]:16} {k["layer"]:16} {k["m"]}x{k["n"]}x{k["k"]}: '
              f'synchronized ours {k["ms"]*1000:6.1f} us cuBLAS {p["ms"]*1000:6.1f} us ratio {p["ms"] / k["ms"]:.2f} | '
              f'back to back ours {k["back_to_back_ms"]*1000:6.1f} us cuBLAS {p["back_to_back_ms"]*1000:6.1f} us ratio {p["back_to_back_ms"] / k["back_to_back_ms"]:.2f}')
for variant in sorted({k["variant"] for k in ours["kernels"] if k["k"] > 0}):
    rows = [(k, peer[(k["name"], k["m"], k["n"], k["k"])]) for k in ours["kernels"] if k["variant"] == variant and (k["name"], k["m"], k["n"], k["k"]) in peer]
    for what in ("ms", "back_to_back_ms"):
        mine, theirs = sum(k[what] for k, _ in rows), sum(p[what] for _, p in rows)
        print(f"all step GEMMs, {variant:16} {what:16}: ours {mine:.4f} ms, cuBLAS {theirs:.4f} ms, ratio {theirs / mine:.2f}")
step_line = [l for l in open(f"{out}/torch_step.txt") if l.startswith("{")]
if step_line:
    torch_step = json.loads(step_line[0])
    print(f'dim-20 step: ours {ours["step"]["images_per_second"]:.0f} images/s, PyTorch {torch_step["images_per_second"]:.0f}, ratio {ours["step"]["images_per_second"] / torch_step["images_per_second"]:.2f}')
text = open(f"{out}/train.txt").read()
ours_log = text.split("ours: process")[0]
epochs = [float(m) for m in re.findall(r"^\s*\d+/20\s.*\|\s*([\d.]+)\s*$", ours_log, re.M)]
peer_train = [json.loads(l) for l in text.splitlines() if l.startswith('{"peer"')]
process = {who: int(ms) / 1000 for who, ms in re.findall(r"^(ours|pytorch): process milliseconds (\d+)", text, re.M)}
if epochs and peer_train:
    print(f'20 epochs, training loop: ours {sum(epochs):.1f} s, PyTorch {peer_train[0]["seconds"]:.1f} s, ratio {peer_train[0]["seconds"] / sum(epochs):.2f}')
if len(process) == 2:
    print(f'20 epochs, whole process: ours {process["ours"]:.1f} s, PyTorch {process["pytorch"]:.1f} s, ratio {process["pytorch"] / process["ours"]:.2f}')
PY

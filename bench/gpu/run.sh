#!/usr/bin/env bash
# Everything a GPU session measures, in one call of the device tool (15 minutes of device
# time in all, start-up included). Prepare here:   ../shared/gpu/pack.sh && bench/gpu/pack_tests.sh   (write .gpu/)
# dry-run it here on ILGPU's CPU accelerator:      ACCELERATOR=cpu BUDGET=240 bash bench/gpu/run.sh
# then run there, carrying .gpu:                    bash bench/gpu/run.sh
# Every number lands in $OUT (or ./gpu-results when OUT is unset), in 8 files, since the device
# tool brings back no more; the ratios, computed from them at the end, print last (rerun the
# script's Python on the files to get them again).
# The steps run in order of what matters most, each with its own limit, all within BUDGET
# seconds (default 540): a step that would start too late is skipped and says so.
set -uo pipefail
out=${OUT:-gpu-results}
budget=${BUDGET:-540}
deadline=$(( $(date +%s) + budget ))
mkdir -p "$out" /tmp/app /tmp/runs
out=$(cd "$out" && pwd)
tar xJf .gpu/app.tar.xz -C /tmp/app
# The test runner, published beside the app (bench/gpu/pack_tests.sh): the tests that need CUDA run there.
[ -f .gpu/tests.tar.xz ] && tar xJf .gpu/tests.tar.xz -C /tmp/app
app=/tmp/app/GpuVae
accelerator=${ACCELERATOR:-cuda}
data=.gpu/mnist
export PYTHONUNBUFFERED=1
# ILGPU opens libcuda.so by that name; drivers often ship only libcuda.so.1.
if ! ldconfig -p | grep -q 'libcuda\.so '; then
  real=$(ldconfig -p | awk '/libcuda\.so\.1 /{print $NF; exit}')
  if [ -n "$real" ]; then
    mkdir -p /tmp/cudalib && ln -sf "$real" /tmp/cudalib/libcuda.so
    export LD_LIBRARY_PATH=/tmp/cudalib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  fi
fi
# bench's cuBLAS (through ILGPU.Algorithms) loads libcublas.so.12, .11 or .10 by name; without a
# CUDA toolkit on the loader's path, the copy PyTorch's wheels carry serves.
if ! ldconfig -p | grep -q 'libcublas\.so\.1[0-2] '; then
  cublas=$(python3 -c 'import os, nvidia.cublas as c; print(os.path.join(list(c.__path__)[0], "lib"))' 2>/dev/null)
  if [ -n "$cublas" ] && [ -d "$cublas" ]; then
    export LD_LIBRARY_PATH=$cublas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  fi
fi

# step LIMIT COMMAND...: runs it under the smaller of its limit and the time left, logs its
# wall-clock seconds, and skips it when less than 10 seconds are left.
step() {
  local limit=$1; shift
  local left=$(( deadline - $(date +%s) ))
  (( left < limit )) && limit=$left
  if (( limit < 10 )); then echo "== skipped (out of time): $*"; return; fi
  echo "== $* (limit ${limit}s)"
  local start=$(date +%s%N)
  timeout "$limit" "$@"
  local rc=$?
  echo "== exit $rc after $(( ($(date +%s%N) - start) / 1000000 )) ms: $*"
}

# 1. The kernels against their references on CUDA (and the devices there).
{
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,memory.total --format=csv
  step 40 $app devices
  step 90 $app check --accelerator $accelerator
  # The tests that skip without CUDA: the captured step, the lockstep sweep's streams, cuBLAS.
  if [ -x /tmp/app/GpuVae.Tests ]; then
    step 90 /tmp/app/GpuVae.Tests -noColor -class GpuVae.Tests.Model.Training.GraphCaptureTests \
      -class GpuVae.Tests.Model.Training.ConcurrentTrainingTests -class GpuVae.Tests.Kernels.Ilgpu.CuBlasGemmTests
  fi
} 2>&1 | tee "$out/check.txt"

# 2. Our kernels (beside cuBLAS in the same process) and step (op by op and as a graph), then
#    PyTorch's GEMMs on the same shapes and its step.
step 120 $app bench --accelerator $accelerator --variants --json "$out/bench_cuda.json" 2>&1 | tee "$out/bench_cuda.txt"
{
  step 60 python3 bench/peers/torch_gemm.py --device cuda --shapes "$out/bench_cuda.json"
  step 45 python3 bench/peers/torch_vae.py --device cuda --dim 20
  step 45 python3 bench/peers/torch_vae.py --device cuda --dim 20 --graph
} 2>&1 | tee "$out/torch.txt"

# 3. A user's 20-epoch dim-20 training as whole processes: ours replaying the graph, ours op by
#    op (the same bits: the model hashes must agree), PyTorch eager and PyTorch with CUDA graphs.
#    Each train starts afresh (--overwrite) should the script run twice on one machine.
{
  step 90 $app train --accelerator $accelerator --dim 20 --epochs 20 --data $data --out /tmp/runs/train_graph --overwrite
  step 90 $app train --accelerator $accelerator --dim 20 --epochs 20 --data $data --out /tmp/runs/train_nograph --no-graph --overwrite
  sha256sum /tmp/runs/train_graph/dim20/model.safetensors /tmp/runs/train_nograph/dim20/model.safetensors
  step 90 python3 bench/peers/torch_vae.py --device cuda --dim 20 --epochs 20 --data $data
  step 60 python3 bench/peers/torch_vae.py --device cuda --dim 20 --epochs 20 --data $data --graph
} 2>&1 | tee "$out/train.txt"

# 4. The whole latent-dimension sweep (six dims, 20 epochs each, the k = 1000 NLL, the pictures
#    and report.md), the plain VAE and the conditional one; then the other models of issue 15:
#    IWAE k = 5 at dim 20, and binarized MNIST with Burda et al.'s sizes (784-200-200-50).
{
  step 150 $app sweep --accelerator $accelerator --data $data --out /tmp/runs/sweep_vae
  step 150 $app sweep --accelerator $accelerator --data $data --out /tmp/runs/sweep_cvae --model cvae
  step 60 $app train --accelerator $accelerator --dim 20 --epochs 20 --data $data --out /tmp/runs/iwae5 --objective iwae --k 5 --overwrite
  step 40 $app eval --accelerator $accelerator --data $data --checkpoint /tmp/runs/iwae5/dim20 --samples 1000
  step 45 $app train --accelerator $accelerator --dim 50 --hidden 200 --epochs 20 --data $data --out /tmp/runs/binarized_elbo --binarize dynamic --overwrite
  step 45 $app eval --accelerator $accelerator --data $data --checkpoint /tmp/runs/binarized_elbo/dim50 --samples 5000
  step 60 $app train --accelerator $accelerator --dim 50 --hidden 200 --epochs 20 --data $data --out /tmp/runs/binarized_iwae50 --binarize dynamic --objective iwae --k 50 --overwrite
  step 45 $app eval --accelerator $accelerator --data $data --checkpoint /tmp/runs/binarized_iwae50/dim50 --samples 5000
  # The only OpenCL device there is PoCL on the CPU (no NVIDIA OpenCL ICD): the kernels checked on it.
  step 40 $app check --accelerator opencl
} 2>&1 | tee "$out/runs.txt"

# Metrics, NLLs and reports of every run, and their pictures apart (a file comes back only under 16 MiB).
(cd /tmp/runs && find . -type f \( -name '*.csv' -o -name '*.md' -o -name '*.json' \) -print0 | tar czf "$out/runs.tar.gz" --null -T -)
(cd /tmp/runs && find . -type f -name '*.png' -print0 | tar czf "$out/pictures.tar.gz" --null -T -)
ls -la "$out"

python3 - "$out" <<'PY' 2>&1
import json, re, sys
out = sys.argv[1]
try:
    ours = json.load(open(f"{out}/bench_cuda.json"))
except (OSError, ValueError) as error:
    sys.exit(f"no bench_cuda.json: {error}")
torch_lines = [json.loads(l) for l in open(f"{out}/torch.txt") if l.startswith("{")]
peer = {(r["name"], r["m"], r["n"], r["k"]): r for r in torch_lines if "name" in r}
for variant in sorted({k["variant"] for k in ours["kernels"] if k["k"] > 0}):
    rows = [(k, peer[(k["name"], k["m"], k["n"], k["k"])]) for k in ours["kernels"] if k["variant"] == variant and (k["name"], k["m"], k["n"], k["k"]) in peer]
    for k, p in rows:
        print(f'{variant:16} {k["layer"]:24} {k["name"]} {k["m"]}x{k["n"]}x{k["k"]}: back to back ours {k["back_to_back_ms"]*1000:7.1f} us, cuBLAS {p["back_to_back_ms"]*1000:7.1f} us, cuBLAS/ours {p["back_to_back_ms"] / k["back_to_back_ms"]:.2f}')
    mine, theirs = sum(k["back_to_back_ms"] for k, _ in rows), sum(p["back_to_back_ms"] for _, p in rows)
    if rows:
        print(f"all step GEMMs, {variant}: ours {mine:.4f} ms, cuBLAS {theirs:.4f} ms back to back, cuBLAS/ours {theirs / mine:.2f}, worst shape {min(p['back_to_back_ms'] / k['back_to_back_ms'] for k, p in rows):.2f}")
cublas = ours.get("cublas", {})
if cublas.get("shapes"):
    worst = min(cublas["shapes"], key=lambda s: s["ratio"])
    print(f'all step GEMMs beside cuBLAS {cublas["version"]} in our process: ours {cublas["ours_ms"]:.4f} ms, cuBLAS {cublas["cublas_ms"]:.4f} ms back to back, '
          f'cuBLAS/ours {cublas["ratio"]:.2f}, worst shape {worst["ratio"]:.2f} ({worst["layer"]} {worst["name"]}){"" if cublas["agrees"] else ", results DISAGREE"}')
else:
    print(f'cuBLAS in our process: skipped, {cublas.get("skipped", "bench_cuda.json has no cublas entry")}')
steps = [json.loads(l) for l in open(f"{out}/torch.txt") if l.startswith('{"peer"')]
for s in ours["steps"]:
    for t in steps:
        if t.get("dim") == s["dim"]:
            print(f'dim-{s["dim"]} step, ours {"graph" if s["graph"] else "op by op"} {s["ms"]:.4f} ms ({s["images_per_second"]:.0f} images/s) against PyTorch {"graphed" if t.get("graph") else "eager"} {t["ms"]:.4f} ms: {t["ms"] / s["ms"]:.2f}x')
text = open(f"{out}/train.txt").read()
runs = re.findall(r"^== exit (\d+) after (\d+) ms: (.*)$", text, re.M)
named = {}
for rc, ms, command in runs:
    who = ("ours graph" if "train_graph" in command else "ours op by op" if "train_nograph" in command
           else "pytorch graphed" if "--graph" in command else "pytorch eager")
    named[who] = (int(rc), int(ms) / 1000)
for who, (rc, seconds) in named.items():
    print(f"20 epochs dim 20, whole process, {who}: {seconds:.1f} s (exit {rc})")
if "ours graph" in named:
    for peer_name in ("pytorch eager", "pytorch graphed"):
        if peer_name in named:
            print(f"  {peer_name} / ours graph: {named[peer_name][1] / named['ours graph'][1]:.2f}x")
for command, block in re.findall(r"^== (.*?) \(limit \d+s\)\n(.*?)^== exit", text, re.M | re.S):
    who = ("ours graph" if "train_graph" in command else "ours op by op" if "train_nograph" in command
           else "pytorch graphed" if "--graph" in command else "pytorch eager")
    epochs = [float(m) for m in re.findall(r"^\s*\d+/20\s.*\|\s*([\d.]+)\s*$", block, re.M)]
    peer_json = [json.loads(l) for l in block.splitlines() if l.startswith('{"peer"')]
    seconds = sum(epochs) if epochs else peer_json[-1].get("seconds") if peer_json else None
    final = re.findall(r"final test loss ([\d.]+)", block) or ([str(peer_json[-1].get("final_test_loss"))] if peer_json else [])
    if seconds is not None:
        print(f"20 epochs dim 20, training loop with per-epoch test evaluation, {who}: {seconds:.1f} s, final test loss {final[0] if final else '?'}")
hashes = re.findall(r"^([0-9a-f]{64})\s+\S+/(train_\w+)/dim20/model.safetensors$", text, re.M)
if len(hashes) == 2:
    print(f"graph and op-by-op models {'identical' if hashes[0][0] == hashes[1][0] else 'DIFFER'}: {hashes[0][0][:16]} {hashes[1][0][:16]}")
PY

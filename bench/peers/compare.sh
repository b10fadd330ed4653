#!/usr/bin/env bash
# Ours and the PyTorch peer, back to back in one run on this machine: the dim-20 training
# step in images/s and their ratio. CPU: Debian's PyTorch with OpenBLAS
#   apt-get install -y python3-torch libopenblas0-pthread   (for /usr/bin/python3)
# GPU machine: ACCELERATOR=cuda PYTHON=python3 DEVICE=cuda GPUVAE=/tmp/app/GpuVae bench/peers/compare.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
accelerator=${ACCELERATOR:-host}
python=${PYTHON:-/usr/bin/python3}
device=${DEVICE:-cpu}
gpuvae=${GPUVAE:-}
out=${OUT_DIR:-$(mktemp -d)}
if [ -z "$gpuvae" ]; then
  dotnet build src/App -c Release -v quiet -nologo >/dev/null
  gpuvae="dotnet src/App/bin/Release/net10.0/GpuVae.dll"
fi

$gpuvae bench --accelerator "$accelerator" --dims 20 --json "$out/ours.json" | grep "^training step"
ours=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['step']['images_per_second'])" "$out/ours.json")
best=0
for threads in ${PEER_THREADS:-1 2}; do
  line=$("$python" bench/peers/torch_vae.py --device "$device" --threads "$threads" --dim 20)
  echo "$line" | tee -a "$out/peer.jsonl"
  rate=$(echo "$line" | python3 -c "import json,sys; print(json.load(sys.stdin)['images_per_second'])")
  best=$(python3 -c "print(max($best, $rate))")
done
python3 -c "print(f'dim-20 training step: GpuVae {float($ours):.0f} images/s, PyTorch (best thread count) {float($best):.0f} images/s, ratio {float($ours)/float($best):.2f}x')"

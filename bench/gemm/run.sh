#!/usr/bin/env bash
# Our HostGemm and OpenBLAS SGEMM side by side, at the training step's shapes, 1 and 2 threads.
# Usage: bench/gemm/run.sh [--avx2] [--dim Z] [--seconds S]
#   --avx2  both sides limited to AVX2 + FMA, as on a Zen 3 machine: .NET with
#           DOTNET_EnableAVX512=0, OpenBLAS with OPENBLAS_CORETYPE=Haswell.
# Needs Debian's python3-numpy and libopenblas0-pthread on /usr/bin/python3
# (apt-get install -y python3-numpy libopenblas0-pthread python3-threadpoolctl).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

avx2=0
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --avx2) avx2=1; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

dotnet build -c Release "$root/bench/GemmBench/GemmBench.csproj" -nologo -v q >&2

# A machine-wide OPENBLAS_CORETYPE or OPENBLAS_L2_SIZE would pin OpenBLAS to another CPU's
# kernel and blocking; the comparison wants the one OpenBLAS picks for this CPU.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
if [[ $avx2 == 1 ]]; then
  export DOTNET_EnableAVX512=0 OPENBLAS_CORETYPE=Haswell
fi

exec /usr/bin/python3 "$root/bench/gemm/compare.py" \
  --ours "$root/bench/GemmBench/bin/Release/net10.0/GemmBench.dll" "${args[@]}"

#!/usr/bin/env bash
# Makes save/beyond/: the runs behind report.md's table of what goes beyond the TensorFlow
# original (issue 15), all 20 epochs with seed 0 on the host backend, beside save/'s own sweep
# (the plain VAE at every dim, the --beta 1 and ELBO rows). From the repository root:
#   bash save/beyond/make.sh            (about an hour on two cores)
# Each run writes its folder here (metrics.csv, nll.csv, report and pictures); each eval's
# output goes to eval_<run>.txt; report.md is written last from all of them.
set -euo pipefail
here=save/beyond
app=${GPUVAE:-src/App/bin/Release/net10.0/GpuVae}
[ -x "$app" ] || dotnet build src/App -c Release -v quiet
accelerator=${ACCELERATOR:-host}
run() { echo "== $*"; "$app" "$@" --accelerator "$accelerator"; }
# A run already trained for 20 epochs, or an eval already written, is kept: the script resumes where it stopped
# (--resume continues an interrupted run; train refuses to start one afresh over it).
trained() { [ -f "$1/model.safetensors" ] && [ "$(tail -n +2 "$1/metrics.csv" 2>/dev/null | wc -l)" -ge 20 ]; }
train() { local out=$1; shift; trained "$out/dim$1" || run train --dim "$@" --out "$out" --resume; }
evaluate() { local name=$1; shift; grep -q "p(x) <=" "$here/eval_$name.txt" 2>/dev/null || run eval "$@" | tee "$here/eval_$name.txt"; }

# The conditional VAE at every dim (test loss per epoch; the k = 1000 NLL is left to the VAE's sweep).
run sweep --model cvae --out $here/cvae --nll-samples 0
# beta-VAE at dim 2: beta = 1 is save/dim2.
for beta in 0.5 4; do train $here/beta$beta 2 --beta $beta; done
# The importance-weighted objective at dim 20 (k = 5), and its bound on -log p(x) with k = 1000,
# beside the same model trained by the ELBO (save/dim20's run, whose weights git does not keep) evaluated the same way.
train $here/iwae5 20 --objective iwae --k 5
evaluate iwae5 --checkpoint $here/iwae5/dim20 --samples 1000
train $here/elbo 20
evaluate elbo --checkpoint $here/elbo/dim20 --samples 1000
# Binarized MNIST with Burda et al. 2015's sizes (784-200-200-50), trained 20 epochs (they took
# 3,280 passes), by the ELBO and by the IWAE bound with k = 5 (theirs: k = 50), bounds with k = 5000.
train $here/binarized_elbo 50 --hidden 200 --binarize dynamic
evaluate binarized_elbo --checkpoint $here/binarized_elbo/dim50 --samples 5000
train $here/binarized_iwae5 50 --hidden 200 --binarize dynamic --objective iwae --k 5
evaluate binarized_iwae5 --checkpoint $here/binarized_iwae5/dim50 --samples 5000
# Burda et al. used no dropout: the ELBO run again with every unit kept, to see what ours costs.
train $here/binarized_elbo_keep1 50 --hidden 200 --binarize dynamic --keep-prob 1
evaluate binarized_elbo_keep1 --checkpoint $here/binarized_elbo_keep1/dim50 --samples 5000
python3 $here/report.py $here

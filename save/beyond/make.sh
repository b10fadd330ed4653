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

# The conditional VAE at every dim (test loss per epoch; the k = 1000 NLL is left to the VAE's sweep).
run sweep --model cvae --out $here/cvae --nll-samples 0
# beta-VAE at dim 2: beta = 1 is save/dim2.
for beta in 0.5 4; do run train --dim 2 --beta $beta --out $here/beta$beta; done
# The importance-weighted objective at dim 20 (k = 5), and its bound on -log p(x) with k = 1000,
# beside the same model trained by the ELBO (save/dim20's run, whose weights git does not keep) evaluated the same way.
run train --dim 20 --objective iwae --k 5 --out $here/iwae5
run eval --checkpoint $here/iwae5/dim20 --samples 1000 | tee $here/eval_iwae5.txt
run train --dim 20 --out $here/elbo
run eval --checkpoint $here/elbo/dim20 --samples 1000 | tee $here/eval_elbo.txt
# Binarized MNIST with Burda et al. 2015's sizes (784-200-200-50), trained 20 epochs (they took
# 3,280 passes), by the ELBO and by the IWAE bound with k = 5 (theirs: k = 50), bounds with k = 5000.
run train --dim 50 --hidden 200 --binarize dynamic --out $here/binarized_elbo
run eval --checkpoint $here/binarized_elbo/dim50 --samples 5000 | tee $here/eval_binarized_elbo.txt
run train --dim 50 --hidden 200 --binarize dynamic --objective iwae --k 5 --out $here/binarized_iwae5
run eval --checkpoint $here/binarized_iwae5/dim50 --samples 5000 | tee $here/eval_binarized_iwae5.txt
python3 $here/report.py $here

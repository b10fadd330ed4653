#!/usr/bin/env bash
# Burda et al. 2015's protocol (yburda/iwae, experiments.py) on dynamically binarized MNIST:
# one stochastic layer, 784-200-200-50 with tanh hidden layers, no dropout, their 59,600
# training images (the last 400 held out), Adam through their eight stages (stage i runs 3^i
# passes at 1e-4 * round(10^(1 - i/7), 1)), trained by their VAE's loss (the one-sample bound,
# our --objective iwae --k 1). After every stage, the k = 5000 importance-weighted bound on
# the test set. From the repository root:
#   bash save/burda/make.sh [LAST_STAGE]      (default 6: stages 0-6, 1,093 passes)
# BATCH (default 20, theirs), RUN (the run's name, default vae_b$BATCH), OBJECTIVE (default
# "--objective iwae --k 1"; "--objective iwae --k 50" is their IWAE), IMAGES (the first test
# images each stage's bound covers: default 1,000, a k = 5000 bound on all 10,000 costs about
# ten minutes on two cores), ACCELERATOR (default host). After the last stage asked for, the
# bound on all 10,000 test images, as theirs, goes to $RUN/bound_final.txt.
# Every stage's bound goes to $RUN/bound_stage<i>.txt; a stage already bounded is kept, and
# training resumes from the checkpoint, so the script continues where it stopped. The
# checkpoints (runs/burda/, which git ignores) are not committed; metrics and bounds are.
# report.py writes report.md and bound.png from every run here (it needs python3-matplotlib).
set -euo pipefail
here=save/burda
app=${GPUVAE:-src/App/bin/Release/net10.0/GpuVae}
[ -x "$app" ] || dotnet build src/App -c Release -v quiet
last=${1:-6}
batch=${BATCH:-20}
name=${RUN:-vae_b$batch}
objective=${OBJECTIVE:---objective iwae --k 1}
accelerator=${ACCELERATOR:-host}
images=${IMAGES:-1000}
checkpoints=runs/burda/$name
mkdir -p "$here/$name"
passes=0
for stage in $(seq 0 "$last"); do
  passes=$((passes + 3 ** stage))
  bound=$here/$name/bound_stage$stage.txt
  grep -q "p(x) <=" "$bound" 2>/dev/null && continue
  echo "== $name: stage $stage, to pass $passes"
  # shellcheck disable=SC2086 # the objective's words are options
  "$app" train --dim 50 --encoder 200:tanh,200:tanh --decoder 200:tanh,200:tanh --keep-prob 1 \
    --binarize dynamic --validation 400 --batch-size "$batch" --lr-schedule burda $objective \
    --epochs "$passes" --resume --out "$checkpoints" --accelerator "$accelerator"
  cp "$checkpoints/dim50/metrics.csv" "$here/$name/metrics.csv"
  # shellcheck disable=SC2086
  "$app" eval --checkpoint "$checkpoints/dim50" --samples 5000 --images "$images" --accelerator "$accelerator" | tee "$bound.partial"
  mv "$bound.partial" "$bound"
done
final=$here/$name/bound_final.txt
if ! grep -q "p(x) <=" "$final" 2>/dev/null || ! grep -q "after stage $last\b" "$final"; then
  { echo "after stage $last"; "$app" eval --checkpoint "$checkpoints/dim50" --samples 5000 --accelerator "$accelerator"; } | tee "$final.partial"
  mv "$final.partial" "$final"
fi
# Debian's python3 has matplotlib (apt-get install python3-matplotlib); PYTHON names another.
"${PYTHON:-/usr/bin/python3}" $here/report.py $here

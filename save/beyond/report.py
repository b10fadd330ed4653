#!/usr/bin/env python3
"""Writes save/beyond/report.md from the runs make.sh leaves there and save/'s own sweep:
final-epoch (20) test losses from each metrics.csv, bounds from each eval's output."""
import csv
import re
import sys
from pathlib import Path

here = Path(sys.argv[1] if len(sys.argv) > 1 else "save/beyond")
save = here.parent


def last(metrics):
    """The last epoch's row of a metrics.csv, or None when the run is missing."""
    path = Path(metrics)
    if not path.exists():
        return None
    rows = list(csv.DictReader(path.open()))
    return rows[-1] if rows else None


def cell(row, key):
    return f"{float(row[key]):.2f}" if row else "not run"


def test_loss(name):
    """The one-sample test loss (BCE + KLD) an eval printed."""
    path = here / f"eval_{name}.txt"
    match = re.search(r"^test loss ([\d.]+)", path.read_text(), re.M) if path.exists() else None
    return f"{float(match.group(1)):.2f}" if match else "not run"


def bound(name):
    """The importance-weighted bound and its k from eval_<name>.txt."""
    path = here / f"eval_{name}.txt"
    if not path.exists():
        return "not run"
    match = re.search(r"-log p\(x\) <= ([\d.]+) nats per image \(k = (\d+)", path.read_text())
    return f"{float(match.group(1)):.2f} (k = {match.group(2)})" if match else "no bound in output"


lines = [
    "# Beyond the TensorFlow original",
    "",
    "Made by `bash save/beyond/make.sh` (host backend, seed 0, 20 epochs each); the plain VAE's rows are",
    "save/'s own sweep (`GpuVae sweep --accelerator host --out save`). Test losses are nats per test image,",
    "the last epoch's, one z sample each; bounds are importance-weighted bounds on -log p(x).",
    "",
    "## Conditional VAE against the VAE, test loss at every dim",
    "",
    "| dim | VAE | CVAE | CVAE - VAE |",
    "|---:|---:|---:|---:|",
]
for dim in (2, 4, 8, 10, 20, 100):
    vae, cvae = last(save / f"dim{dim}/metrics.csv"), last(here / f"cvae/dim{dim}/metrics.csv")
    gap = f"{float(cvae['test_loss']) - float(vae['test_loss']):+.2f}" if vae and cvae else ""
    lines.append(f"| {dim} | {cell(vae, 'test_loss')} | {cell(cvae, 'test_loss')} | {gap} |")
lines += [
    "",
    "## beta-VAE at dim 2 (loss = BCE + beta KLD)",
    "",
    "| beta | test loss | BCE | KLD |",
    "|---:|---:|---:|---:|",
]
for beta, path in (("0.5", here / "beta0.5/dim2/metrics.csv"), ("1", save / "dim2/metrics.csv"), ("4", here / "beta4/dim2/metrics.csv")):
    row = last(path)
    lines.append(f"| {beta} | {cell(row, 'test_loss')} | {cell(row, 'test_bce')} | {cell(row, 'test_kld')} |")
lines += [
    "",
    "## Training objective at dim 20: the ELBO against the IWAE bound (k = 5)",
    "",
    "| trained by | test loss (ELBO, one sample) | bound on -log p(x) |",
    "|---|---:|---:|",
    f"| ELBO | {test_loss('elbo')} | {bound('elbo')} |",
    f"| IWAE, k = 5 | {test_loss('iwae5')} | {bound('iwae5')} |",
    "",
    "The grey-level bounds are not likelihoods of a normalized distribution (BCE against grey",
    "targets); the binarized rows below are.",
    "",
    "## Binarized MNIST beside Burda et al. 2015 (Table 1, one stochastic layer)",
    "",
    "| model | training | -log p(x) bound |",
    "|---|---|---:|",
    f"| ours, 784-200-200-50, ELU/tanh hidden layers, dropout (keep 0.9) | ELBO, 20 epochs | {bound('binarized_elbo')} |",
    f"| ours, same network | IWAE k = 5, 20 epochs | {bound('binarized_iwae5')} |",
    f"| ours, same network without dropout (keep 1) | ELBO, 20 epochs | {bound('binarized_elbo_keep1')} |",
    "| Burda et al., 784-200-200-50, tanh | VAE (k = 1), 3,280 passes | 86.76 (k = 5000) |",
    "| Burda et al., same | IWAE k = 50, 3,280 passes | 84.78 (k = 5000) |",
    "",
    "Differences from their setting, besides the training length: our hidden layers are the",
    "TensorFlow original's (ELU then tanh in the encoder, tanh then ELU in the decoder) with dropout",
    "(keep 0.9); Adam at 1e-3 without their learning-rate schedule; the training set binarized",
    "afresh at every use (dynamic), the test set once with seed 0x5EEDB1A5.",
]
(here / "report.md").write_text("\n".join(lines) + "\n")
print(f"wrote {here / 'report.md'}")

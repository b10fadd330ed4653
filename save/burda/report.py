#!/usr/bin/env python3
"""Writes save/burda/report.md and bound.png from the runs make.sh leaves there: per run,
the k = 5000 bound after each stage (bound_stage<i>.txt) beside Burda et al. 2015's Table 1.
Needs python3-matplotlib for the plot (Debian: apt-get install python3-matplotlib)."""
import csv
import re
import sys
from pathlib import Path

here = Path(sys.argv[1] if len(sys.argv) > 1 else "save/burda")
# Burda et al. 2015, Table 1, MNIST, one stochastic layer: -log p(x) by k = 5000 after 3,280 passes.
THEIRS = {"VAE (k = 1)": 86.76, "IWAE (k = 50)": 84.78}
STAGE_PASSES = [3 ** i for i in range(8)]
BOUND = re.compile(r"-log p\(x\) <= ([\d.]+) nats per image \(k = (\d+) samples per image, (\d+) images\)")


def stages(run):
    """(stage, passes so far, rate, bound, images) for every stage bounded so far."""
    rates = {}
    metrics = run / "metrics.csv"
    if metrics.exists():
        for row in csv.DictReader(metrics.open()):
            rates[int(row["epoch"])] = row.get("learning_rate", "")
    rows = []
    for stage in range(8):
        path = run / f"bound_stage{stage}.txt"
        match = BOUND.search(path.read_text()) if path.exists() else None
        if not match:
            continue
        passes = sum(STAGE_PASSES[: stage + 1])
        rows.append((stage, passes, rates.get(passes, ""), float(match.group(1)), int(match.group(3))))
    return rows


def final(run):
    """(stage, bound, images) of the bound on the whole test set after the last stage, or None."""
    path = run / "bound_final.txt"
    text = path.read_text() if path.exists() else ""
    match, stage = BOUND.search(text), re.search(r"after stage (\d+)", text)
    return (int(stage.group(1)), float(match.group(1)), int(match.group(3))) if match and stage else None


def main():
    runs = sorted(p for p in here.iterdir() if p.is_dir() and stages(p))
    lines = [
        "# Burda et al.'s protocol, as they ran it",
        "",
        "Made by `bash save/burda/make.sh` (see its header for the setting); nats per test image,",
        "the importance-weighted bound on -log p(x) with k = 5000 after each stage of their",
        "learning-rate schedule, beside their Table 1 after all eight stages (3,280 passes).",
        "",
        "| run | stage | passes | learning rate | test images | bound |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        for stage, passes, rate, bound, images in stages(run):
            lines.append(f"| {run.name} | {stage} | {passes} | {rate} | {images} | {bound:.2f} |")
        if (whole := final(run)) is not None:
            stage, bound, images = whole
            lines.append(f"| {run.name} | {stage} | {sum(STAGE_PASSES[: stage + 1])} | | **{images}** | **{bound:.2f}** |")
    lines += ["", "Theirs: " + ", ".join(f"{name} {value:.2f}" for name, value in THEIRS.items()) + ".", ""]
    lines.append("![bound against passes](bound.png)")
    (here / "report.md").write_text("\n".join(lines) + "\n")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    for run in runs:
        rows = stages(run)
        line, = ax.plot([r[1] for r in rows], [r[3] for r in rows], marker="o", label=f"ours: {run.name}, first {rows[0][4]} test images")
        if (whole := final(run)) is not None:
            ax.plot([sum(STAGE_PASSES[: whole[0] + 1])], [whole[1]], marker="*", markersize=12, linestyle="none",
                    color=line.get_color(), label=f"ours: {run.name}, all {whole[2]} test images")
    for (name, value), style in zip(THEIRS.items(), ["--", ":"]):
        ax.axhline(value, color="gray", linestyle=style, label=f"Burda et al.: {name} {value}")
    ax.set_xscale("log")
    ax.set_xlabel("passes over the training set (end of each stage)")
    ax.set_ylabel("-log p(x) bound, k = 5000 (nats)")
    ax.set_title("Binarized MNIST, 784-200-200-50 tanh, Burda et al.'s schedule")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(here / "bound.png")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The PyTorch peer: exactly GpuVae's model and training step, timed the same way.

Encoder 784-H(ELU)-H(tanh)-2Z, sigma = 1e-6 + softplus; z = mu + sigma * eps; decoder
Z-H(tanh)-H(ELU)-784 sigmoid clamped to [1e-8, 1 - 1e-8]; dropout keep 0.9 after each hidden
layer; weights truncated normal (2 sigma) with sigma = sqrt(2.6 / fan-in), biases zero;
loss = mean over images of BCE summed over pixels + KL summed over Z; Adam 1e-3.

Two modes, each ending in one JSON line:
  default   times forward, loss, backward, the loss read-back and the Adam step on random
            pixels, as `GpuVae bench` does.
  --epochs  trains on MNIST as `GpuVae train` does: the training images (IDX, raw or gzipped,
            in --data; labels are not needed) go to the device once; each epoch shuffles them with a seed of its own,
            takes floor(60000 / batch) full batches, reads every batch's BCE and KL back to the
            host, then evaluates the test set without dropout in batches of 500 and prints a
            line. Epoch seconds cover training and evaluation, as ours do.

--graph (CUDA only) captures the whole training step once as a CUDA graph (torch.cuda.graphs:
static input, warm-up steps on a side stream, Adam with capturable=True, the BCE and KL sums
copied into a pinned host tensor inside the graph) and replays it every step after copying the
batch into the static input. The warm-up's updates are undone before training, so both modes
train for the same steps from the same weights; with --epochs, warm-up and capture count in
"seconds" and also show as "capture_seconds". Eager (the default) is unchanged. If warm-up or
capture raises, a stderr line says why and it captures again with the losses read after the
replay ("graph_read_back": "after replay"), then falls back to eager ("graph": false); the JSON's
"graph_error" says what failed.
"""
import argparse
import gzip
import json
import math
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

EVALUATION_BATCH = 500  # TrainingOptions.EvaluationBatchSize


class Vae(torch.nn.Module):
    def __init__(self, latent, hidden=500, pixels=784, keep=0.9):
        super().__init__()
        self.latent = latent
        self.drop = 1 - keep
        self.e0, self.e1 = torch.nn.Linear(pixels, hidden), torch.nn.Linear(hidden, hidden)
        self.eo = torch.nn.Linear(hidden, 2 * latent)
        self.d0, self.d1 = torch.nn.Linear(latent, hidden), torch.nn.Linear(hidden, hidden)
        self.do = torch.nn.Linear(hidden, pixels)
        for layer in (self.e0, self.e1, self.eo, self.d0, self.d1, self.do):
            std = math.sqrt(2.6 / layer.in_features)
            torch.nn.init.trunc_normal_(layer.weight, std=std, a=-2 * std, b=2 * std)
            torch.nn.init.zeros_(layer.bias)

    def loss(self, x):
        h = F.dropout(F.elu(self.e0(x)), self.drop, self.training)
        h = F.dropout(torch.tanh(self.e1(h)), self.drop, self.training)
        gaussian = self.eo(h)
        mu, sigma = gaussian[:, :self.latent], 1e-6 + F.softplus(gaussian[:, self.latent:])
        z = mu + sigma * torch.randn_like(mu)
        h = F.dropout(torch.tanh(self.d0(z)), self.drop, self.training)
        h = F.dropout(F.elu(self.d1(h)), self.drop, self.training)
        y = torch.clamp(torch.sigmoid(self.do(h)), 1e-8, 1 - 1e-8)
        bce = -torch.sum(x * torch.log(y) + (1 - x) * torch.log(1 - y), 1)
        kl = 0.5 * torch.sum(mu ** 2 + sigma ** 2 - torch.log(1e-8 + sigma ** 2) - 1, 1)
        return torch.mean(bce + kl), bce, kl


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def read_images(directory, name):
    """(N, 784) float32 pixels / 255 from an IDX image file, raw preferred over .gz as ours does."""
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        path += ".gz"
    with open(path, "rb") as file:
        data = file.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    magic, count, rows, cols = np.frombuffer(data[:16], ">u4")
    if magic != 0x803 or rows * cols != 784 or len(data) != 16 + count * 784:
        raise SystemExit(f"{path}: not an IDX file of 28x28 images")
    return np.frombuffer(data, np.uint8, offset=16).reshape(count, 784).astype(np.float32) / 255


def step_function(model, optimizer, read_back):
    """The training step, the same eager and under capture: forward, loss, backward, the losses'
    read-back (GpuVae reads every batch's losses back to the host; so does this step) and Adam."""
    def step(x):
        optimizer.zero_grad(set_to_none=True)
        loss, bce, kl = model.loss(x)
        loss.backward()
        losses = read_back(bce, kl)
        optimizer.step()
        return losses
    return step


def eager_read_back(bce, kl):
    return bce.sum().item(), kl.sum().item()


def reset_training_state(model, optimizer, initial):
    """Puts the weights back to `initial` and Adam to no steps taken, in place (a captured graph
    holds these tensors' addresses): the graph's warm-up steps do not count as training."""
    with torch.no_grad():
        for parameter, value in zip(model.parameters(), initial):
            parameter.copy_(value)
        for state in optimizer.state.values():
            for value in state.values():  # step, exp_avg, exp_avg_sq: zero is Adam's fresh state
                if torch.is_tensor(value):
                    value.zero_()


class GraphedStep:
    """The step captured once as a CUDA graph; calling it copies the batch into the static input,
    replays the graph, waits for it, and returns the BCE and KL sums. With host_copy the graph
    itself copies them into a pinned host tensor; without, they are read after the replay."""

    WARMUP_STEPS = 3

    def __init__(self, model, x, initial, host_copy=True):
        self.x = x
        self.host = torch.zeros(2).pin_memory() if host_copy else None
        self.losses = None

        def read_back(bce, kl):
            self.losses = torch.stack((bce.sum(), kl.sum()))
            if self.host is not None:
                self.host.copy_(self.losses, non_blocking=True)

        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, capturable=True)
        step = step_function(model, optimizer, read_back)
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(self.WARMUP_STEPS):
                step(x)
            reset_training_state(model, optimizer, initial)
        torch.cuda.current_stream().wait_stream(side)
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph, stream=side):
            step(x)

    def __call__(self, x):
        if x is not self.x:
            self.x.copy_(x)
        self.graph.replay()
        if self.host is None:
            return tuple(self.losses.tolist())
        torch.cuda.current_stream().synchronize()
        return tuple(self.host.tolist())


def training_step(args, model, x):
    """(step, graph_errors): step(batch) trains on the batch and returns its BCE and KL sums; x (used
    only with --graph) becomes the captured graph's static input. Eager unless --graph. If warm-up
    or capture raises, --graph says why in one stderr line and tries again without the in-graph
    host copy, then falls back to eager, so the run's other numbers survive."""
    graph_errors = []
    if args.graph:
        initial = [parameter.detach().clone() for parameter in model.parameters()]
        for host_copy in (True, False):
            try:
                return GraphedStep(model, x, initial, host_copy), graph_errors
            except Exception as error:  # noqa: BLE001 - whatever failed, report it and measure what works
                reason = f"{type(error).__name__}: {error}".strip().splitlines()[0]
                graph_errors.append(reason)
                then = "capturing again without the in-graph host copy" if host_copy else "running eager instead"
                print(f"torch_vae: --graph: capture failed, {then} ({reason})", file=sys.stderr, flush=True)
                torch.cuda.set_stream(torch.cuda.default_stream())
                torch.cuda.synchronize()
                optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
                reset_training_state(model, optimizer, initial)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    return step_function(model, optimizer, eager_read_back), graph_errors


def graph_fields(step, graph_errors):
    fields = {"graph": isinstance(step, GraphedStep)}
    if fields["graph"]:
        fields["graph_read_back"] = "in graph" if step.host is not None else "after replay"
    if graph_errors:
        fields["graph_error"] = "; ".join(graph_errors)
    return fields


def restart_peak_rss():
    """Sets Linux's peak resident set (VmHWM) to what is resident now; False where it cannot."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def peak_rss_bytes():
    """VmHWM from /proc/self/status: the peak resident set since the start or the last restart."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return None


def time_steps(args, device, model):
    x = torch.rand(args.batch, 784, device=device)
    step, graph_errors = training_step(args, model, x)

    # As `GpuVae bench` reads its own: the peak from the first warm-up step to the last timed one.
    restarted = restart_peak_rss()
    warmup_end = time.perf_counter() + 1.0
    while time.perf_counter() < warmup_end:
        step(x)
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step(x)
        synchronize(device)
        times.append(time.perf_counter() - start)
    ms = 1000 * statistics.median(times)
    print(json.dumps({
        "peer": f"pytorch {torch.__version__}", "device": args.device, "threads": args.threads,
        "dim": args.dim, "batch": args.batch, "ms": ms, "images_per_second": args.batch / (ms / 1000),
        "peak_working_set_bytes": peak_rss_bytes(), "peak_working_set_while_timing_steps": restarted,
        **graph_fields(step, graph_errors),
    }))


def train_epochs(args, device, model, train, test, setup_seconds):
    steps = len(train) // args.batch
    print("epoch | train loss | test loss    bce    kld | seconds", flush=True)
    synchronize(device)
    training_start = time.perf_counter()
    # Building the step (with --graph: its warm-up and capture) counts as training time.
    training_step_, graph_errors = training_step(args, model, train[:args.batch].clone() if args.graph else None)
    synchronize(device)
    capture_seconds = time.perf_counter() - training_start
    for epoch in range(1, args.epochs + 1):
        synchronize(device)
        epoch_start = time.perf_counter()
        order = torch.randperm(len(train), generator=torch.Generator().manual_seed(args.seed * 1_000_003 + epoch))
        order = order.to(device)
        model.train()
        train_total = 0.0
        for step in range(steps):
            x = train[order[step * args.batch:(step + 1) * args.batch]]
            bce, kl = training_step_(x)
            batch_total = bce + kl
            if not math.isfinite(batch_total):
                raise SystemExit(f"epoch {epoch} step {step + 1}: the loss is {batch_total / args.batch}")
            train_total += batch_total
        model.eval()
        test_bce = test_kl = 0.0
        with torch.no_grad():
            for x in torch.split(test, EVALUATION_BATCH):
                _, bce, kl = model.loss(x)
                test_bce += bce.sum().item()
                test_kl += kl.sum().item()
        synchronize(device)
        seconds = time.perf_counter() - epoch_start
        test_bce, test_kl = test_bce / len(test), test_kl / len(test)
        print(f"{epoch:2}/{args.epochs:<2} | {train_total / (steps * args.batch):10.2f} | "
              f"{test_bce + test_kl:9.2f} {test_bce:6.2f} {test_kl:6.2f} | {seconds:7.1f}", flush=True)
    total_seconds = time.perf_counter() - training_start
    print(json.dumps({
        "peer": f"pytorch {torch.__version__}", "device": args.device, "threads": args.threads,
        "dim": args.dim, "batch": args.batch, "epochs": args.epochs, "seconds": total_seconds,
        "setup_seconds": setup_seconds, "capture_seconds": capture_seconds, "final_test_loss": test_bce + test_kl,
        **graph_fields(training_step_, graph_errors),
    }), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dim", type=int, default=20, help="latent dimension Z (default 20)")
    parser.add_argument("--batch", type=int, default=128, help="training batch size (default 128)")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for torch (default 1)")
    parser.add_argument("--device", default="cpu", help="torch device, e.g. cpu or cuda (default cpu)")
    parser.add_argument("--steps", type=int, default=100, help="timed steps, without --epochs (default 100)")
    parser.add_argument("--epochs", type=int, help="train on MNIST for this many epochs instead of timing steps")
    parser.add_argument("--data", default="data/mnist", help="folder of the MNIST IDX files (default data/mnist)")
    parser.add_argument("--seed", type=int, default=0, help="seeds torch and the epochs' shuffles (default 0)")
    parser.add_argument("--graph", action="store_true",
                        help="capture the training step once as a CUDA graph and replay it (CUDA only)")
    args = parser.parse_args()
    if args.graph and torch.device(args.device).type != "cuda":
        print(f"torch_vae: --graph needs a CUDA device (--device cuda), not {args.device}", file=sys.stderr)
        sys.exit(2)
    torch.set_num_threads(args.threads)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    if args.epochs is None:
        time_steps(args, device, Vae(args.dim).to(device))
        return
    setup_start = time.perf_counter()
    train = torch.from_numpy(read_images(args.data, "train-images-idx3-ubyte")).to(device)
    test = torch.from_numpy(read_images(args.data, "t10k-images-idx3-ubyte")).to(device)
    model = Vae(args.dim).to(device)
    synchronize(device)
    train_epochs(args, device, model, train, test, time.perf_counter() - setup_start)


if __name__ == "__main__":
    main()

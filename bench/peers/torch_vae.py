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
"""
import argparse
import gzip
import json
import math
import os
import statistics
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


def time_steps(args, device, model, optimizer):
    x = torch.rand(args.batch, 784, device=device)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss, bce, kl = model.loss(x)
        loss.backward()
        # GpuVae reads every batch's losses back to the host; so does this step.
        bce.sum().item()
        kl.sum().item()
        optimizer.step()

    warmup_end = time.perf_counter() + 1.0
    while time.perf_counter() < warmup_end:
        step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        synchronize(device)
        times.append(time.perf_counter() - start)
    ms = 1000 * statistics.median(times)
    print(json.dumps({
        "peer": f"pytorch {torch.__version__}", "device": args.device, "threads": args.threads,
        "dim": args.dim, "batch": args.batch, "ms": ms, "images_per_second": args.batch / (ms / 1000),
    }))


def train_epochs(args, device, model, optimizer, train, test, setup_seconds):
    steps = len(train) // args.batch
    print("epoch | train loss | test loss    bce    kld | seconds", flush=True)
    synchronize(device)
    training_start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        synchronize(device)
        epoch_start = time.perf_counter()
        order = torch.randperm(len(train), generator=torch.Generator().manual_seed(args.seed * 1_000_003 + epoch))
        order = order.to(device)
        model.train()
        train_total = 0.0
        for step in range(steps):
            x = train[order[step * args.batch:(step + 1) * args.batch]]
            optimizer.zero_grad(set_to_none=True)
            loss, bce, kl = model.loss(x)
            loss.backward()
            batch_total = bce.sum().item() + kl.sum().item()
            if not math.isfinite(batch_total):
                raise SystemExit(f"epoch {epoch} step {step + 1}: the loss is {batch_total / args.batch}")
            optimizer.step()
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
        "setup_seconds": setup_seconds, "final_test_loss": test_bce + test_kl,
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
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    if args.epochs is None:
        model = Vae(args.dim).to(device)
        time_steps(args, device, model, torch.optim.Adam(model.parameters(), lr=1e-3))
        return
    setup_start = time.perf_counter()
    train = torch.from_numpy(read_images(args.data, "train-images-idx3-ubyte")).to(device)
    test = torch.from_numpy(read_images(args.data, "t10k-images-idx3-ubyte")).to(device)
    model = Vae(args.dim).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    synchronize(device)
    train_epochs(args, device, model, optimizer, train, test, time.perf_counter() - setup_start)


if __name__ == "__main__":
    main()

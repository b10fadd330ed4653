#!/usr/bin/env python3
"""The PyTorch peer: exactly GpuVae's model and training step, timed the same way.

Encoder 784-H(ELU)-H(tanh)-2Z, sigma = 1e-6 + softplus; z = mu + sigma * eps; decoder
Z-H(tanh)-H(ELU)-784 sigmoid clamped to [1e-8, 1 - 1e-8]; dropout keep 0.9 after each hidden
layer; loss = mean over images of BCE summed over pixels + KL summed over Z; Adam 1e-3.
Times forward, loss, backward, the loss read-back and the Adam step on random pixels, as
`GpuVae bench` does, and prints one JSON line.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F


class Vae(torch.nn.Module):
    def __init__(self, latent, hidden=500, pixels=784, keep=0.9):
        super().__init__()
        self.latent = latent
        self.drop = 1 - keep
        self.e0, self.e1 = torch.nn.Linear(pixels, hidden), torch.nn.Linear(hidden, hidden)
        self.eo = torch.nn.Linear(hidden, 2 * latent)
        self.d0, self.d1 = torch.nn.Linear(latent, hidden), torch.nn.Linear(hidden, hidden)
        self.do = torch.nn.Linear(hidden, pixels)

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dim", type=int, default=20)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.manual_seed(0)
    device = torch.device(args.device)
    model = Vae(args.dim).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
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
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    ms = 1000 * statistics.median(times)
    print(json.dumps({
        "peer": f"pytorch {torch.__version__}", "device": args.device, "threads": args.threads,
        "dim": args.dim, "batch": args.batch, "ms": ms, "images_per_second": args.batch / (ms / 1000),
    }))


if __name__ == "__main__":
    main()

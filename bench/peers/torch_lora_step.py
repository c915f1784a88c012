#!/usr/bin/python3
"""PyTorch peer for bench/training.bench.ts: one LoRA training step (rank 8 on c_attn, alpha 16,
AdamW) of the same GPT-2 as torch_forward.py, non-private (one backward pass) or DP-SGD
(per-sample gradients by per-example copies of the LoRA matrices, the same method Confidant
uses; Debian's torch 1.13 has no torch.func for Opacus's vmap path; then per-sample
clipping, Gaussian noise and the average over the expected batch).

Usage: torch_lora_step.py LAYERS D_MODEL HEADS VOCAB SEQ BATCH ITERS MODE(plain|dp)
Run with OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=passive.
Prints one JSON object: training tokens/s (median step), peak RSS.
"""
import json
import math
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(2)


class LoraLinear(torch.nn.Module):
    def __init__(self, d_in, d_out, r=8, alpha=16):
        super().__init__()
        self.base = torch.nn.Linear(d_in, d_out)
        self.base.requires_grad_(False)
        self.lora_A = torch.nn.Parameter(torch.empty(r, d_in).uniform_(-1 / math.sqrt(d_in), 1 / math.sqrt(d_in)))
        self.lora_B = torch.nn.Parameter(torch.zeros(d_out, r))
        self.scale = alpha / r
        self.copies = None  # (A [B, r, in], B [B, out, r]) for per-sample gradients

    def forward(self, x):
        if self.copies is not None:
            a, b = self.copies
            return self.base(x) + torch.bmm(torch.bmm(x, a.transpose(1, 2)), b.transpose(1, 2)) * self.scale
        return self.base(x) + (x @ self.lora_A.T @ self.lora_B.T) * self.scale


class Block(torch.nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.ln_1 = torch.nn.LayerNorm(d)
        self.c_attn = LoraLinear(d, 3 * d)
        self.c_proj = torch.nn.Linear(d, d)
        self.ln_2 = torch.nn.LayerNorm(d)
        self.c_fc = torch.nn.Linear(d, 4 * d)
        self.mlp_proj = torch.nn.Linear(4 * d, d)

    def forward(self, x, mask):
        b, t, d = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, self.h, d // self.h).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(d // self.h)
        att = att.masked_fill(mask[:t, :t], float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.c_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class Gpt2(torch.nn.Module):
    def __init__(self, layers, d, h, vocab, ctx):
        super().__init__()
        self.wte = torch.nn.Embedding(vocab, d)
        self.wpe = torch.nn.Embedding(ctx, d)
        self.blocks = torch.nn.ModuleList(Block(d, h) for _ in range(layers))
        self.ln_f = torch.nn.LayerNorm(d)
        self.register_buffer("mask", torch.triu(torch.ones(ctx, ctx, dtype=torch.bool), 1))

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
        for blk in self.blocks:
            x = blk(x, self.mask)
        return self.ln_f(x) @ self.wte.weight.T


def lm_loss(logits, ids):
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))


def main():
    layers, d, h, vocab, seq, batch, iters = map(int, sys.argv[1:8])
    mode = sys.argv[8]
    torch.manual_seed(0)
    model = Gpt2(layers, d, h, vocab, seq)
    for name, p in model.named_parameters():
        p.requires_grad_("lora_" in name)
    params = {n: p for n, p in model.named_parameters() if p.requires_grad}
    opt = torch.optim.AdamW(params.values(), lr=1e-3)
    ids = torch.randint(0, vocab, (batch, seq))
    clip, sigma = 1.0, 1.0

    def plain_step():
        opt.zero_grad()
        lm_loss(model(ids), ids).backward()
        opt.step()

    loras = [m for m in model.modules() if isinstance(m, LoraLinear)]

    def dp_step():
        copies = []
        for m in loras:
            a = m.lora_A.detach().unsqueeze(0).repeat(batch, 1, 1).requires_grad_(True)
            b = m.lora_B.detach().unsqueeze(0).repeat(batch, 1, 1).requires_grad_(True)
            m.copies = (a, b)
            copies += [(m.lora_A, a), (m.lora_B, b)]
        logits = model(ids)
        per_row = F.cross_entropy(
            logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="none"
        ).view(batch, -1).mean(1)
        per_row.sum().backward()
        norms = torch.sqrt(sum(c.grad.reshape(batch, -1).pow(2).sum(1) for _, c in copies))
        factor = (clip / (norms + 1e-6)).clamp(max=1.0)
        for p, c in copies:
            summed = torch.einsum("b,b...->...", factor, c.grad)
            p.grad = (summed + torch.randn_like(summed) * sigma * clip) / batch
        for m in loras:
            m.copies = None
        opt.step()

    step = plain_step if mode == "plain" else dp_step
    step()  # warm-up
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    print(json.dumps({
        "tokensPerSecond": round(batch * seq / statistics.median(times)),
        "peakRssMB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }))


if __name__ == "__main__":
    main()

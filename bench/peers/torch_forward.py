#!/usr/bin/python3
"""PyTorch peer for bench/model.bench.ts: the same GPT-2 forward (and per-token scoring)
on random fp32 weights, written in plain torch (no transformers package here).

Usage: torch_forward.py LAYERS D_MODEL HEADS VOCAB SEQ BATCH ITERS
Run with OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=passive.
Prints one JSON object: forward and scoring tokens/s (median), peak RSS.
"""
import json
import math
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

torch.set_grad_enabled(False)
torch.set_num_threads(2)


class Block(torch.nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.ln_1 = torch.nn.LayerNorm(d)
        self.c_attn = torch.nn.Linear(d, 3 * d)
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


def main():
    layers, d, h, vocab, seq, batch, iters = map(int, sys.argv[1:8])
    torch.manual_seed(0)
    model = Gpt2(layers, d, h, vocab, seq).eval()
    ids = torch.randint(0, vocab, (batch, seq))

    def forward():
        model(ids)

    def score():
        logits = model(ids)[:, :-1]
        lp = logits.log_softmax(-1).gather(-1, ids[:, 1:, None])
        lp.sum().item()

    out = {}
    for name, fn, tokens in (("forward", forward, batch * seq), ("scoring", score, batch * (seq - 1))):
        fn()  # warm-up
        times = []
        for _ in range(iters):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        out[f"{name}TokensPerSecond"] = tokens / statistics.median(times)
    out["peakRssMB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["torch"] = torch.__version__
    out["threads"] = torch.get_num_threads()
    print(json.dumps(out))


if __name__ == "__main__":
    main()

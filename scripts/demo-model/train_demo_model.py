"""Pretrains Confidant's bundled demo model: a small GPT-2-architecture causal LM.

Reproducible and seeded. Run from the repository root (Debian's python3-torch):

    node --import tsx scripts/demo-model/make_corpus.ts 24000 20261128 /tmp/demo-corpus.jsonl
    /usr/bin/python3 scripts/demo-model/train_demo_model.py /tmp/demo-corpus.jsonl resources/models/confidant-demo-gpt2

The corpus is synthetic clinical text produced by Confidant's own seeded generator
(src-main/data/synthetic), so the repository may ship the weights (Apache-2.0). The
patients in the corpus are fictional and are disjoint from the demo's fine-tuning data,
which uses other seeds.

Architecture and weight layout follow GPT-2 (Radford et al. 2019; openai/gpt-2 model.py,
Hugging Face GPT2LMHeadModel): learned positions, pre-LayerNorm blocks, fused c_attn,
GELU (tanh approximation) MLP, tied LM head, Conv1D weights stored [in, out].
"""
from __future__ import annotations

import json
import math
import os
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from bpe_trainer import ByteLevelBpe, train_bpe  # noqa: E402

SEED = 20261128
CONFIG = dict(vocab_size=4096, n_positions=256, n_embd=256, n_layer=4, n_head=4)
# A fixed number of steps (not a time budget), so the same script gives the same model.
TRAIN = dict(seq_len=128, batch=16, lr=3e-3, min_lr=3e-4, warmup=30, steps=int(os.environ.get("DEMO_MODEL_STEPS", "400")), weight_decay=0.1)
HOLDOUT_FRACTION = 0.05


class Block(nn.Module):
    def __init__(self, d: int, h: int):
        super().__init__()
        self.h = h
        self.ln_1 = nn.LayerNorm(d, eps=1e-5)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d, eps=1e-5)
        self.c_fc = nn.Linear(d, 4 * d)
        self.mlp_proj = nn.Linear(4 * d, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q = q.view(B, T, self.h, C // self.h).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(B, T, self.h, C // self.h).transpose(1, 2)
        v = v.view(B, T, self.h, C // self.h).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // self.h)
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        x = x + self.c_proj(y)
        x = x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))
        return x


class GPT(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        d = cfg["n_embd"]
        self.wte = nn.Embedding(cfg["vocab_size"], d)
        self.wpe = nn.Embedding(cfg["n_positions"], d)
        self.h = nn.ModuleList(Block(d, cfg["n_head"]) for _ in range(cfg["n_layer"]))
        self.ln_f = nn.LayerNorm(d, eps=1e-5)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * cfg["n_layer"]) if name.endswith(("c_proj.weight", "mlp_proj.weight")) else 0.02
                nn.init.normal_(p, 0.0, std)
            elif name.endswith("bias"):
                nn.init.zeros_(p)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        T = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(T))
        for block in self.h:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.T  # tied head: (B, T, vocab)


def gpt2_state_dict(model: GPT) -> dict[str, torch.Tensor]:
    """Hugging Face GPT2LMHeadModel names; Conv1D weights transposed to [in, out]."""
    sd: dict[str, torch.Tensor] = {
        "transformer.wte.weight": model.wte.weight,
        "transformer.wpe.weight": model.wpe.weight,
        "transformer.ln_f.weight": model.ln_f.weight,
        "transformer.ln_f.bias": model.ln_f.bias,
    }
    for i, b in enumerate(model.h):
        p = f"transformer.h.{i}."
        sd[p + "ln_1.weight"], sd[p + "ln_1.bias"] = b.ln_1.weight, b.ln_1.bias
        sd[p + "ln_2.weight"], sd[p + "ln_2.bias"] = b.ln_2.weight, b.ln_2.bias
        for hf, lin in (("attn.c_attn", b.c_attn), ("attn.c_proj", b.c_proj), ("mlp.c_fc", b.c_fc), ("mlp.c_proj", b.mlp_proj)):
            sd[p + hf + ".weight"] = lin.weight.T
            sd[p + hf + ".bias"] = lin.bias
    return {k: v.detach().contiguous().float() for k, v in sd.items()}


def save_safetensors(tensors: dict[str, torch.Tensor], path: str) -> None:
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    blobs = []
    for name in sorted(tensors):
        data = tensors[name].numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for blob in blobs:
            f.write(blob)


def main(corpus_path: str, out_dir: str) -> None:
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    records = [json.loads(line) for line in open(corpus_path, encoding="utf-8")]
    texts = [r["text"] for r in records]
    n_hold = max(1, int(len(texts) * HOLDOUT_FRACTION))
    train_texts, hold_texts = texts[:-n_hold], texts[-n_hold:]

    t0 = time.time()
    tok_json = train_bpe(train_texts, CONFIG["vocab_size"], ["<|endoftext|>"])
    bpe = ByteLevelBpe(tok_json)
    eot = tok_json["model"]["vocab"]["<|endoftext|>"]
    print(f"tokenizer: {len(tok_json['model']['vocab'])} tokens in {time.time() - t0:.0f}s", flush=True)

    def stream(ts: list[str]) -> torch.Tensor:
        ids: list[int] = []
        for t in ts:
            ids.extend(bpe.encode(t))
            ids.append(eot)
        return torch.tensor(ids, dtype=torch.long)

    train_ids, hold_ids = stream(train_texts), stream(hold_texts)
    print(f"corpus: {len(train_ids)} training tokens, {len(hold_ids)} held-out tokens", flush=True)

    model = GPT(CONFIG)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params / 1e6:.2f}M parameters", flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() == 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": TRAIN["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}], lr=TRAIN["lr"], betas=(0.9, 0.95))
    gen = torch.Generator().manual_seed(SEED)
    T, B = TRAIN["seq_len"], TRAIN["batch"]
    start = time.time()
    step = 0
    while step < TRAIN["steps"]:
        progress = (step - TRAIN["warmup"]) / max(1, TRAIN["steps"] - TRAIN["warmup"])
        lr = TRAIN["lr"] * min(1.0, (step + 1) / TRAIN["warmup"])
        lr = TRAIN["min_lr"] + (lr - TRAIN["min_lr"]) * 0.5 * (1 + math.cos(math.pi * progress)) if step >= TRAIN["warmup"] else lr
        for g in opt.param_groups:
            g["lr"] = lr
        ix = torch.randint(len(train_ids) - T - 1, (B,), generator=gen)
        x = torch.stack([train_ids[i : i + T] for i in ix])
        y = torch.stack([train_ids[i + 1 : i + T + 1] for i in ix])
        loss = F.cross_entropy(model(x).view(-1, CONFIG["vocab_size"]), y.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 25 == 0:
            print(f"step {step} loss {loss.item():.3f} lr {lr:.2e} {(time.time() - start) / 60:.1f} min", flush=True)
        step += 1

    # Held-out perplexity measured the way `confidant score` measures it: each held-out record
    # on its own, <|endoftext|> first, truncated to the context window, token-weighted mean NLL.
    # (A sliding window over the concatenated stream would let the model copy a patient's
    # identifiers from their previous record and look better than it is.)
    model.eval()
    with torch.no_grad():
        total, count = 0.0, 0
        for text in hold_texts:
            ids = torch.tensor([[eot] + bpe.encode(text)][0][: CONFIG["n_positions"]]).unsqueeze(0)
            if ids.shape[1] < 2:
                continue
            logits = model(ids[:, :-1])
            total += F.cross_entropy(logits.view(-1, CONFIG["vocab_size"]), ids[0, 1:], reduction="sum").item()
            count += ids.shape[1] - 1
    held_out_nll = total / count
    print(f"held-out: {held_out_nll:.4f} nats/token over {len(hold_texts)} records, perplexity {math.exp(held_out_nll):.2f}", flush=True)

    os.makedirs(out_dir, exist_ok=True)
    save_safetensors(gpt2_state_dict(model), os.path.join(out_dir, "model.safetensors"))
    json.dump(tok_json, open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8"), ensure_ascii=False)
    config = {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "vocab_size": CONFIG["vocab_size"],
        "n_positions": CONFIG["n_positions"],
        "n_ctx": CONFIG["n_positions"],
        "n_embd": CONFIG["n_embd"],
        "n_layer": CONFIG["n_layer"],
        "n_head": CONFIG["n_head"],
        "n_inner": None,
        "activation_function": "gelu_new",
        "layer_norm_epsilon": 1e-5,
        "resid_pdrop": 0.0,
        "embd_pdrop": 0.0,
        "attn_pdrop": 0.0,
        "tie_word_embeddings": True,
        "bos_token_id": eot,
        "eos_token_id": eot,
        "torch_dtype": "float32",
    }
    json.dump(config, open(os.path.join(out_dir, "config.json"), "w"), indent=2)
    stats = {
        "seed": SEED,
        "parameters": n_params,
        "train_tokens": int(len(train_ids)),
        "held_out_records": len(hold_texts),
        "held_out_tokens": count,
        "steps": step,
        "seq_len": T,
        "batch": B,
        "minutes": round((time.time() - start) / 60, 1),
        "held_out_nll_nats_per_token": round(held_out_nll, 4),
        "held_out_perplexity": round(math.exp(held_out_nll), 2),
        "torch": torch.__version__,
    }
    json.dump(stats, open(os.path.join(out_dir, "training_stats.json"), "w"), indent=2)
    print(json.dumps(stats), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

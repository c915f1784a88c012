#!/usr/bin/python3
"""Independent reference forward pass for Confidant's model tests, in plain torch.

Implements the published equations directly (no transformers package):
- GPT-2 (Radford et al. 2019): pre-LayerNorm blocks, learned positions, Conv1D weights
  [in, out], fused c_attn, tanh GELU, tied head.
- Llama family (Touvron et al. 2023; Qwen2; Mistral): RMSNorm, RoPE (Su et al. 2021) with
  rotate_half, 'linear' and 'llama3' rope_scaling as in transformers'
  modeling_rope_utils, grouped-query attention, SwiGLU, optional q/k/v bias, tied head,
  Mistral's sliding window (Jiang et al. 2023: query i attends to keys i-W+1..i).

Usage: causal_lm_reference.py MODEL_DIR IDS_JSON OUT_BIN
IDS_JSON holds a list of token-id lists (one sequence each, no padding); OUT_BIN receives
the float32 logits of every sequence, concatenated ([T_i, vocab] each, row-major).
The safetensors file is parsed here with struct + numpy (independently of the TS reader).
"""
import json
import math
import struct
import sys

import numpy as np
import torch

torch.set_grad_enabled(False)
torch.set_num_threads(1)


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        begin, end = meta["data_offsets"]
        if meta["dtype"] == "BF16":  # the upper 16 bits of a float32
            raw = np.frombuffer(data[begin:end], dtype="<u2").astype(np.uint32) << 16
            arr = raw.view(np.float32).reshape(meta["shape"]).astype(np.float64)
        else:
            dt = {"F32": np.float32, "F16": np.float16}[meta["dtype"]]
            arr = np.frombuffer(data[begin:end], dtype=dt).reshape(meta["shape"]).astype(np.float64)
        out[name] = torch.from_numpy(arr.copy())
    return out


def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * g + b


def rms_norm(x, g, eps):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * g


def causal_softmax_attention(q, k, v, window=None):
    # q [H, T, D], k/v [H, T, D]; with a sliding window W, query i sees keys j, i - W < j <= i
    t = q.shape[1]
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    if window is not None:
        mask = mask | torch.tril(torch.ones(t, t, dtype=torch.bool), diagonal=-window)
    scores = scores.masked_fill(mask, float("-inf"))
    return torch.softmax(scores, -1) @ v


def gpt2(cfg, w, ids):
    p = "transformer." if "transformer.wte.weight" in w else ""
    d, nh = cfg["n_embd"], cfg["n_head"]
    eps = cfg.get("layer_norm_epsilon", 1e-5)
    t = len(ids)
    x = w[p + "wte.weight"][ids] + w[p + "wpe.weight"][torch.arange(t)]
    for i in range(cfg["n_layer"]):
        h = f"{p}h.{i}."
        a = layer_norm(x, w[h + "ln_1.weight"], w[h + "ln_1.bias"], eps)
        qkv = a @ w[h + "attn.c_attn.weight"] + w[h + "attn.c_attn.bias"]
        q, k, v = qkv.split(d, dim=-1)
        heads = lambda z: z.view(t, nh, d // nh).transpose(0, 1)
        y = causal_softmax_attention(heads(q), heads(k), heads(v)).transpose(0, 1).reshape(t, d)
        x = x + y @ w[h + "attn.c_proj.weight"] + w[h + "attn.c_proj.bias"]
        m = layer_norm(x, w[h + "ln_2.weight"], w[h + "ln_2.bias"], eps)
        f = m @ w[h + "mlp.c_fc.weight"] + w[h + "mlp.c_fc.bias"]
        f = 0.5 * f * (1 + torch.tanh(math.sqrt(2 / math.pi) * (f + 0.044715 * f**3)))
        x = x + f @ w[h + "mlp.c_proj.weight"] + w[h + "mlp.c_proj.bias"]
    x = layer_norm(x, w[p + "ln_f.weight"], w[p + "ln_f.bias"], eps)
    return x @ w[p + "wte.weight"].T


def llama_inv_freq(cfg, head_dim):
    theta = cfg.get("rope_theta", 10000.0)
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    s = cfg.get("rope_scaling")
    if not s:
        return inv
    kind = s.get("rope_type", s.get("type"))
    if kind == "linear":
        return inv / s["factor"]
    if kind == "llama3":
        factor, lo, hi = s["factor"], s["low_freq_factor"], s["high_freq_factor"]
        old = s["original_max_position_embeddings"]
        lo_wavelen, hi_wavelen = old / lo, old / hi
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > lo_wavelen, inv / factor, inv)
        smooth = (old / wavelen - lo) / (hi - lo)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < hi_wavelen) & ~(wavelen > lo_wavelen)
        return torch.where(medium, smoothed, scaled)
    raise ValueError(kind)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def llama(cfg, w, ids):
    d, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads") or nh
    hd = cfg.get("head_dim") or d // nh
    eps = cfg.get("rms_norm_eps", 1e-6)
    t = len(ids)
    inv = llama_inv_freq(cfg, hd)
    ang = torch.arange(t, dtype=torch.float64)[:, None] * inv[None, :]
    ang = torch.cat([ang, ang], dim=-1)
    cos, sin = ang.cos(), ang.sin()
    lin = lambda z, name: z @ w[name + ".weight"].T + (w[name + ".bias"] if name + ".bias" in w else 0)
    x = w["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        a = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = lin(a, p + "self_attn.q_proj").view(t, nh, hd).transpose(0, 1)
        k = lin(a, p + "self_attn.k_proj").view(t, nkv, hd).transpose(0, 1)
        v = lin(a, p + "self_attn.v_proj").view(t, nkv, hd).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(nh // nkv, dim=0)
        v = v.repeat_interleave(nh // nkv, dim=0)
        window = cfg.get("sliding_window") if cfg["model_type"] == "mistral" else None
        y = causal_softmax_attention(q, k, v, window).transpose(0, 1).reshape(t, nh * hd)
        x = x + lin(y, p + "self_attn.o_proj")
        m = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        g = lin(m, p + "mlp.gate_proj")
        x = x + lin(g * torch.sigmoid(g) * lin(m, p + "mlp.up_proj"), p + "mlp.down_proj")
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else w["lm_head.weight"]
    return x @ head.T


def main():
    model_dir, ids_file, out_file = sys.argv[1:4]
    cfg = json.load(open(f"{model_dir}/config.json"))
    w = read_safetensors(f"{model_dir}/model.safetensors")
    seqs = json.load(open(ids_file))
    fwd = gpt2 if cfg["model_type"] == "gpt2" else llama
    with open(out_file, "wb") as f:
        for ids in seqs:
            logits = fwd(cfg, w, torch.tensor(ids, dtype=torch.long))
            f.write(logits.to(torch.float32).numpy().astype("<f4").tobytes())


if __name__ == "__main__":
    main()

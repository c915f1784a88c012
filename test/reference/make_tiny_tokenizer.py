#!/usr/bin/python3
"""Writes test/fixtures/model/tiny-bpe/tokenizer.json: a small byte-level BPE tokenizer
in the GPT-2 format (Radford et al. 2019; byte-to-unicode table of openai/gpt-2
encoder.py), trained here by plain BPE (Sennrich et al. 2016) on a short built-in corpus.
256 byte tokens + 64 merges + <|endoftext|>. Deterministic: run it again to regenerate."""
import collections
import json
import os
import re

CORPUS = (
    "the patient was admitted with chest pain and shortness of breath. "
    "the patient reports no fever. blood pressure was normal and the heart rate was regular. "
    "she was discharged home with follow up in the clinic. the patient denies nausea. "
    "he was treated with aspirin and the pain resolved. there is no history of diabetes. "
) * 3


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def main():
    b2u = bytes_to_unicode()
    words = re.findall(r" ?[a-z]+| ?[^a-z\s]+|\s+", CORPUS)
    counts = collections.Counter(tuple(b2u[b] for b in w.encode()) for w in words)
    vocab = {b2u[b]: i for i, b in enumerate(range(256))}
    # ids in byte order, as in tokenizers' ByteLevel alphabet order is irrelevant; keep byte order
    merges = []
    for _ in range(64):
        pairs = collections.Counter()
        for word, c in counts.items():
            for a, b in zip(word, word[1:]):
                pairs[(a, b)] += c
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(f"{best[0]} {best[1]}")
        vocab[best[0] + best[1]] = len(vocab)
        new_counts = collections.Counter()
        for word, c in counts.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            new_counts[tuple(out)] += c
        counts = new_counts
    eos = len(vocab)
    vocab["<|endoftext|>"] = eos
    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": eos, "content": "<|endoftext|>", "single_word": False, "lstrip": False,
             "rstrip": False, "normalized": True, "special": True}
        ],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False,
                  "vocab": vocab, "merges": merges},
    }
    out = os.path.join(os.path.dirname(__file__), "..", "fixtures", "model", "tiny-bpe", "tokenizer.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False, separators=(",", ":"))
    print(out, len(vocab), "tokens")


if __name__ == "__main__":
    main()

"""Byte-level BPE trainer that writes a Hugging Face tokenizer.json (GPT-2 style).

The algorithm is Sennrich et al. 2016 ("Neural Machine Translation of Rare Words with
Subword Units") on bytes, with GPT-2's byte-to-unicode mapping and pre-tokenisation
(Radford et al. 2019; openai/gpt-2 src/encoder.py). The output loads with
@huggingface/tokenizers (model.type "BPE", pre_tokenizer/decoder "ByteLevel").

Deterministic: ties between equally frequent pairs are broken by the pair itself.
"""
from __future__ import annotations

import collections
import json
import re

# GPT-2's pre-tokenisation regex, with \p{L} and \p{N} written for Python's `re`
# ([^\W\d_] is "a Unicode letter", \d "a Unicode digit").
PRETOKENIZE = re.compile(
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|[_]+|\s+(?!\S)|\s+"""
)


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible map from bytes to printable unicode characters."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def train_bpe(texts: list[str], vocab_size: int, special_tokens: list[str]) -> dict:
    byte_map = bytes_to_unicode()
    words: collections.Counter[tuple[str, ...]] = collections.Counter()
    for text in texts:
        for piece in PRETOKENIZE.findall(text):
            words[tuple(byte_map[b] for b in piece.encode("utf-8"))] += 1

    vocab: dict[str, int] = {}
    for tok in special_tokens:
        vocab[tok] = len(vocab)
    for ch in sorted(set(byte_map.values()), key=lambda c: ord(c)):
        vocab[ch] = len(vocab)

    merges: list[tuple[str, str]] = []
    word_list = [list(w) for w in words]
    counts = [words[w] for w in words]
    pair_counts: collections.Counter[tuple[str, str]] = collections.Counter()
    where: dict[tuple[str, str], set[int]] = collections.defaultdict(set)
    for i, w in enumerate(word_list):
        for a, b in zip(w, w[1:]):
            pair_counts[(a, b)] += counts[i]
            where[(a, b)].add(i)

    while len(vocab) < vocab_size and pair_counts:
        best = max(pair_counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
        if pair_counts[best] < 2:
            break
        merged = best[0] + best[1]
        merges.append(best)
        vocab[merged] = len(vocab)
        for i in list(where[best]):
            w = word_list[i]
            c = counts[i]
            for a, b in zip(w, w[1:]):
                pair_counts[(a, b)] -= c
                if pair_counts[(a, b)] <= 0:
                    del pair_counts[(a, b)]
            new_w: list[str] = []
            j = 0
            while j < len(w):
                if j + 1 < len(w) and w[j] == best[0] and w[j + 1] == best[1]:
                    new_w.append(merged)
                    j += 2
                else:
                    new_w.append(w[j])
                    j += 1
            word_list[i] = new_w
            for a, b in zip(new_w, new_w[1:]):
                pair_counts[(a, b)] += c
                where[(a, b)].add(i)
        where.pop(best, None)

    added = [
        {"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for t in special_tokens
    ]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": "",
            "end_of_word_suffix": "",
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": vocab,
            "merges": [[a, b] for a, b in merges],
        },
    }


class ByteLevelBpe:
    """Encoder for the tokenizer.json above (used by the training script)."""

    def __init__(self, tokenizer_json: dict):
        model = tokenizer_json["model"]
        self.vocab: dict[str, int] = model["vocab"]
        self.ranks = {tuple(m): i for i, m in enumerate(model["merges"])}
        self.byte_map = bytes_to_unicode()
        self.cache: dict[str, list[int]] = {}

    def _bpe(self, piece: str) -> list[int]:
        if piece in self.cache:
            return self.cache[piece]
        word = [self.byte_map[b] for b in piece.encode("utf-8")]
        while len(word) > 1:
            pairs = [(self.ranks.get((a, b), 1 << 30), k) for k, (a, b) in enumerate(zip(word, word[1:]))]
            rank, k = min(pairs)
            if rank == 1 << 30:
                break
            word = word[:k] + [word[k] + word[k + 1]] + word[k + 2:]
        ids = [self.vocab[t] for t in word]
        self.cache[piece] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        out: list[int] = []
        for piece in PRETOKENIZE.findall(text):
            out.extend(self._bpe(piece))
        return out


if __name__ == "__main__":
    import sys

    data = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
    tok = train_bpe(data, int(sys.argv[2]), ["<|endoftext|>"])
    json.dump(tok, open(sys.argv[3], "w", encoding="utf-8"), ensure_ascii=False)

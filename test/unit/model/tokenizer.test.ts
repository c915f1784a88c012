/**
 * Tokenizer loading and encoding. The byte-level BPE fixture (test/fixtures/model/tiny-bpe,
 * made by test/reference/make_tiny_tokenizer.py) is checked against a slow reference
 * implementation of GPT-2's byte-level BPE written here from openai/gpt-2 encoder.py
 * (byte→unicode table, the GPT-2 split regex, lowest-rank merge first).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TextTokenizer } from '../../../src-main/model/tokenizer.js';
import { ConfidantError } from '../../../src-main/shared/confidantError.js';

const fixtureDir = resolve(import.meta.dirname, '../../fixtures/model/tiny-bpe');
const fixture = JSON.parse(readFileSync(join(fixtureDir, 'tokenizer.json'), 'utf8')) as {
  model: { vocab: Record<string, number>; merges: string[] };
};

function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const table = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (bs.includes(b)) table[b] = String.fromCodePoint(b);
    else table[b] = String.fromCodePoint(256 + n++);
  }
  return table;
}

/** Slow reference: GPT-2 encoder.py's bpe() over the GPT-2 pre-tokenizer regex. */
function referenceEncode(text: string): number[] {
  const table = bytesToUnicode();
  const ranks = new Map(fixture.model.merges.map((m, i) => [m, i]));
  const pat = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
  const ids: number[] = [];
  for (const piece of text.match(pat) ?? []) {
    let word = [...new TextEncoder().encode(piece)].map((b) => table[b]!);
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < word.length; i++) {
        const r = ranks.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const pair: [string, string] = [word[best]!, word[best + 1]!];
      const merged: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && word[i] === pair[0] && word[i + 1] === pair[1]) {
          merged.push(pair[0] + pair[1]);
          i++;
        } else merged.push(word[i]!);
      }
      word = merged;
    }
    for (const tok of word) ids.push(fixture.model.vocab[tok]!);
  }
  return ids;
}

const texts = [
  'the patient was admitted with chest pain',
  'The Patient  was\tadmitted,  she said: "no fever!"  ',
  'héllo wörld — 温度 37.5°C 😀',
  "he'll be fine; it's 12:30",
  '',
];

describe('byte-level BPE (GPT-2 style) fixture', () => {
  it('encodes as the reference GPT-2 BPE does, and decodes back to the text', async () => {
    const tok = await TextTokenizer.load(fixtureDir);
    for (const text of texts) {
      const ids = tok.encode(text);
      expect(ids).toEqual(referenceEncode(text));
      expect(tok.decode(ids)).toBe(text);
    }
    // merges learned from the corpus are used: a frequent word is one token
    expect(tok.encode(' patient')).toHaveLength(1);
    expect(tok.vocabSize).toBe(321);
  });

  it('keeps the special token whole', async () => {
    const tok = await TextTokenizer.load(fixtureDir);
    const ids = tok.encode('end<|endoftext|>');
    expect(ids[ids.length - 1]).toBe(320);
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('end');
  });

  it('vocab.json + merges.txt (older GPT-2 folders) tokenize exactly like tokenizer.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confidant-tok-'));
    writeFileSync(join(dir, 'vocab.json'), JSON.stringify(fixture.model.vocab));
    writeFileSync(join(dir, 'merges.txt'), `#version: 0.2\n${fixture.model.merges.join('\n')}\n`);
    const legacy = await TextTokenizer.load(dir);
    const modern = await TextTokenizer.load(fixtureDir);
    for (const text of texts) expect(legacy.encode(text)).toEqual(modern.encode(text));
    expect(legacy.encode('x<|endoftext|>')).toEqual(modern.encode('x<|endoftext|>'));
  });
});

describe('SentencePiece-style BPE (Llama-2 / TinyLlama layout)', () => {
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  for (const t of ['▁', 'h', 'e', 'l', 'o', 'w', 'r', 'd', '▁h', 'll', '▁he', '▁hell', '▁hello'])
    vocab[t] = Object.keys(vocab).length;
  const json = {
    version: '1.0',
    added_tokens: [
      {
        id: 0,
        content: '<unk>',
        special: true,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
      },
      {
        id: 1,
        content: '<s>',
        special: true,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
      },
      {
        id: 2,
        content: '</s>',
        special: true,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
      },
    ],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      unk_token: '<unk>',
      fuse_unk: true,
      byte_fallback: true,
      vocab,
      merges: ['▁ h', 'l l', '▁h e', '▁he ll', '▁hell o'],
    },
  };

  it('adds BOS, merges by rank, falls back to bytes, and decodes back', () => {
    const tok = TextTokenizer.fromJson(json);
    const ids = tok.encode('hello world');
    expect(ids).toEqual([
      1,
      vocab['▁hello'],
      vocab['▁'],
      vocab['w'],
      vocab['o'],
      vocab['r'],
      vocab['l'],
      vocab['d'],
    ]);
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('hello world');
    const accented = tok.encode('hé', { addSpecialTokens: false });
    expect(accented).toEqual([vocab['▁h'], vocab['<0xC3>'], vocab['<0xA9>']]);
    expect(tok.decode(accented)).toBe('hé');
  });
});

describe('hostile or broken tokenizer files are rejected with a ConfidantError', () => {
  const bad: [string, unknown][] = [
    ['not an object', 42],
    ['no model', { added_tokens: [] }],
    ['unknown model type', { model: { type: 'Magic', vocab: {} } }],
    ['negative ids', { model: { type: 'BPE', vocab: { a: -1 }, merges: [] } }],
    [
      'absurd added-token id',
      { model: { type: 'BPE', vocab: { a: 0 }, merges: [] }, added_tokens: [{ id: 1e12, content: 'x' }] },
    ],
    [
      'unknown pre-tokenizer',
      { model: { type: 'BPE', vocab: { a: 0 }, merges: [] }, pre_tokenizer: { type: 'Nope' } },
    ],
  ];
  for (const [name, json] of bad) {
    it(name, () => {
      expect(() => TextTokenizer.fromJson(json, {}, '/m/tokenizer.json')).toThrow(ConfidantError);
      try {
        TextTokenizer.fromJson(json, {}, '/m/tokenizer.json');
      } catch (error) {
        expect((error as ConfidantError).describe()).toContain('/m/tokenizer.json');
      }
    });
  }

  it('invalid JSON and a missing tokenizer name the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confidant-tok-'));
    await expect(TextTokenizer.load(dir)).rejects.toThrow(/no tokenizer.json/);
    writeFileSync(join(dir, 'tokenizer.json'), '{"model": {');
    await expect(TextTokenizer.load(dir)).rejects.toThrow(ConfidantError);
    const dir2 = mkdtempSync(join(tmpdir(), 'confidant-tok-'));
    writeFileSync(join(dir2, 'vocab.json'), '{"a": 0}');
    writeFileSync(join(dir2, 'merges.txt'), 'a b c\n');
    await expect(TextTokenizer.load(dir2)).rejects.toMatchObject({
      code: 'TOKENIZER_INVALID',
      options: { where: { line: 1 } },
    });
  });
});

/**
 * A minimal tokenizer.json for random-weight model folders: GPT-2's byte-level BPE
 * (Radford et al. 2019; the byte-to-unicode table of openai/gpt-2 encoder.py) with its 256
 * byte tokens, no merges and one end-of-text token. Any text encodes (one token per byte),
 * so benchmarks and tests can run the model end to end without a trained tokenizer.
 */

/** GPT-2's reversible map from bytes to printable unicode characters. */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const out = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    out[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + extra++);
  }
  return out;
}

export const BYTE_LEVEL_VOCAB = 257;

/** tokenizer.json with byte tokens 0..255 and `<|endoftext|>` at `eosId` (≥ 256). */
export function byteLevelTokenizerJson(eosId = 256): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  bytesToUnicode().forEach((ch, b) => (vocab[ch] = b));
  const eos = '<|endoftext|>';
  vocab[eos] = eosId;
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      {
        id: eosId,
        content: eos,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: true,
        special: true,
      },
    ],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: [],
    },
  };
}

/**
 * Text ↔ token ids for a model folder, through @huggingface/tokenizers (the JS port of
 * Hugging Face tokenizers): `tokenizer.json` (byte-level BPE as in GPT-2/Llama-3/Qwen2,
 * SentencePiece-style BPE with byte fallback as in Llama-2/TinyLlama), or the older GPT-2
 * pair `vocab.json` + `merges.txt`, converted to the tokenizer.json form GPT-2 uses.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { z } from 'zod';
import { ConfidantError } from '../shared/confidantError.js';

const MAX_VOCAB = 4_000_000;

const AddedTokenSchema = z.object({
  id: z.number().int().nonnegative().max(MAX_VOCAB),
  content: z.string(),
  special: z.boolean().optional(),
});

const TokenizerJsonSchema = z.object({
  model: z.object({
    type: z.enum(['BPE', 'Unigram', 'WordPiece']),
    vocab: z.union([
      z.record(z.string(), z.number().int().nonnegative().max(MAX_VOCAB)),
      z.array(z.tuple([z.string(), z.number()])),
    ]),
    merges: z.union([z.array(z.string()), z.array(z.tuple([z.string(), z.string()]))]).optional(),
  }),
  added_tokens: z.array(AddedTokenSchema).default([]),
  normalizer: z.unknown().nullish(),
  pre_tokenizer: z.unknown().nullish(),
  post_processor: z.unknown().nullish(),
  decoder: z.unknown().nullish(),
});

const TokenizerConfigSchema = z
  .object({
    clean_up_tokenization_spaces: z.boolean().optional(),
  })
  .loose();

const VocabJsonSchema = z.record(z.string(), z.number().int().nonnegative().max(MAX_VOCAB));

function invalid(file: string, message: string, field?: string): ConfidantError {
  return new ConfidantError('TOKENIZER_INVALID', message, {
    where: field ? { file, field } : { file },
    hint: 'Use the tokenizer.json saved with the model (or vocab.json + merges.txt for old GPT-2 folders).',
  });
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid(file, `not valid JSON (${(error as Error).message})`);
  }
}

function check<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw invalid(file, `unexpected content: ${issue.message}`, issue.path.join('.'));
  }
  return r.data;
}

/** The tokenizer.json form of a GPT-2 vocab.json + merges.txt pair. */
export function gpt2TokenizerJson(
  vocab: Record<string, number>,
  mergesText: string,
): Record<string, unknown> {
  const merges = mergesText
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0 && !l.startsWith('#version'));
  const eos = '<|endoftext|>';
  return {
    version: '1.0',
    added_tokens:
      vocab[eos] === undefined
        ? []
        : [
            {
              id: vocab[eos],
              content: eos,
              single_word: false,
              lstrip: false,
              rstrip: false,
              normalized: true,
              special: true,
            },
          ],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}

export class TextTokenizer {
  private constructor(
    private readonly inner: Tokenizer,
    readonly source: string,
  ) {}

  /** Builds a tokenizer from tokenizer.json content; `source` names it in errors. */
  static fromJson(
    json: unknown,
    config: Record<string, unknown> = {},
    source = 'tokenizer.json',
  ): TextTokenizer {
    check(TokenizerJsonSchema, json, source);
    const cfg = check(TokenizerConfigSchema, config, source);
    let inner: Tokenizer;
    try {
      inner = new Tokenizer(json as object, cfg);
    } catch (error) {
      throw invalid(source, `the tokenizer could not be built (${(error as Error).message})`);
    }
    return new TextTokenizer(inner, source);
  }

  /** Loads the tokenizer of a model folder. */
  static async load(dir: string): Promise<TextTokenizer> {
    const tokenizerJson = join(dir, 'tokenizer.json');
    const configFile = join(dir, 'tokenizer_config.json');
    const config = existsSync(configFile) ? ((await readJson(configFile)) as Record<string, unknown>) : {};
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw invalid(configFile, 'tokenizer_config.json is not a JSON object');
    }
    if (existsSync(tokenizerJson))
      return TextTokenizer.fromJson(await readJson(tokenizerJson), config, tokenizerJson);
    const vocabFile = join(dir, 'vocab.json');
    const mergesFile = join(dir, 'merges.txt');
    if (existsSync(vocabFile) && existsSync(mergesFile)) {
      const vocab = check(VocabJsonSchema, await readJson(vocabFile), vocabFile);
      const merges = await readFile(mergesFile, 'utf8');
      for (const [i, line] of merges.split('\n').entries()) {
        if (line.length > 0 && !line.startsWith('#') && line.trim().split(' ').length !== 2) {
          throw new ConfidantError(
            'TOKENIZER_INVALID',
            'a merge line must hold two tokens separated by one space',
            {
              where: { file: mergesFile, line: i + 1 },
            },
          );
        }
      }
      return TextTokenizer.fromJson(gpt2TokenizerJson(vocab, merges), config, vocabFile);
    }
    throw new ConfidantError(
      'TOKENIZER_MISSING',
      'no tokenizer.json (or vocab.json + merges.txt) in the model folder',
      {
        where: { file: dir },
        hint: 'Copy the tokenizer files that came with the model into the folder.',
      },
    );
  }

  /** Token ids of `text`; special tokens (BOS…) are added as the tokenizer's post-processor says. */
  encode(text: string, options: { addSpecialTokens?: boolean } = {}): number[] {
    const { ids } = this.inner.encode(text, { add_special_tokens: options.addSpecialTokens ?? true });
    for (const id of ids) {
      if (!Number.isInteger(id)) {
        throw invalid(
          this.source,
          'the text contains a piece the vocabulary cannot represent and it has no unknown token',
        );
      }
    }
    return ids;
  }

  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    if (ids.length === 0) return '';
    return this.inner.decode([...ids], {
      skip_special_tokens: options.skipSpecialTokens ?? false,
      clean_up_tokenization_spaces: false,
    });
  }

  tokenToId(token: string): number | undefined {
    return this.inner.token_to_id(token);
  }

  /** Number of distinct ids, added tokens included (the model's vocab_size may be larger). */
  get vocabSize(): number {
    return this.inner.get_vocab(true).size;
  }
}

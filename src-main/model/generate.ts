/**
 * Autoregressive generation for one prompt: the prompt goes through the model once, then
 * each new token is fed alone with the KV cache (or, with `useCache: false`, the whole
 * sequence is recomputed each step: the slow reference the cache is tested against).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfidantError } from '../shared/confidantError.js';
import type { AdapterMap, CausalLm } from './causalLm.js';
import { checkTokenIds } from './causalLm.js';
import { KvCache } from './kvCache.js';
import { pickToken } from './sampling.js';
import type { SamplingOptions } from './sampling.js';
import { SeededRandom } from './seededRandom.js';

export interface GenerateOptions extends SamplingOptions {
  readonly maxNewTokens: number;
  /** Generation stops after emitting one of these (it is included in the output). */
  readonly stopTokens?: readonly number[];
  readonly seed?: number;
  readonly adapters?: AdapterMap;
  /** Called with each new token id as soon as it is chosen. */
  readonly onToken?: (id: number) => void;
  /** Default true. */
  readonly useCache?: boolean;
}

/** Returns the new token ids (prompt excluded). */
export async function generateTokens(
  model: CausalLm,
  prompt: readonly number[],
  options: GenerateOptions,
): Promise<number[]> {
  if (prompt.length === 0) {
    throw new ConfidantError('GENERATE_EMPTY_PROMPT', 'the prompt has no tokens', {
      hint: 'Give a non-empty prompt.',
    });
  }
  checkTokenIds(model, prompt);
  const context = model.config.contextLength;
  if (prompt.length >= context) {
    throw new ConfidantError(
      'GENERATE_PROMPT_TOO_LONG',
      `the prompt has ${prompt.length} tokens; the model's context is ${context}`,
      { hint: 'Shorten the prompt.' },
    );
  }
  const rng = new SeededRandom(options.seed ?? 0);
  const stop = new Set(options.stopTokens ?? []);
  const useCache = options.useCache ?? true;
  const cache = useCache ? new KvCache(model.config.nLayers) : undefined;
  const sequence = [...prompt];
  const out: number[] = [];
  try {
    let input = sequence;
    // stops early when the context is full
    for (let step = 0; step < options.maxNewTokens && sequence.length < context; step++) {
      const last = tf.tidy(() => {
        const logits = model.forward(tf.tensor2d([input], [1, input.length], 'int32'), {
          ...(cache ? { cache } : {}),
          ...(options.adapters ? { adapters: options.adapters } : {}),
        });
        return logits.slice([0, input.length - 1, 0], [1, 1, -1]).reshape([-1]);
      });
      const row = (await last.data()) as Float32Array;
      last.dispose();
      const id = pickToken(row, options, rng);
      out.push(id);
      sequence.push(id);
      options.onToken?.(id);
      if (stop.has(id)) break;
      input = useCache ? [id] : sequence;
    }
  } finally {
    cache?.dispose();
  }
  return out;
}

/**
 * Turns a stream of token ids into a stream of text: decodes everything generated so far
 * and emits the new suffix, holding back a trailing U+FFFD (a UTF-8 character split across
 * tokens) until it completes.
 */
export class TextStreamer {
  private readonly ids: number[] = [];
  private emitted = 0;

  constructor(
    private readonly decode: (ids: readonly number[]) => string,
    private readonly write: (text: string) => void,
  ) {}

  push(id: number): void {
    this.ids.push(id);
    const text = this.decode(this.ids);
    if (text.endsWith('\uFFFD')) return;
    if (text.length > this.emitted) this.write(text.slice(this.emitted));
    this.emitted = text.length;
  }

  flush(): void {
    const text = this.decode(this.ids);
    if (text.length > this.emitted) this.write(text.slice(this.emitted));
    this.emitted = text.length;
  }
}

/**
 * Key/value cache for incremental decoding: per layer, the keys and values of every
 * position seen so far ([B, kvHeads, S, headDim]), plus the padding mask and the next
 * position id of each row. The cache owns its tensors; call dispose() when done.
 */
import * as tf from '@tensorflow/tfjs';

export class KvCache {
  private readonly keys: (tf.Tensor4D | null)[];
  private readonly values: (tf.Tensor4D | null)[];
  /** [B][S] 1 = real key, 0 = padding. */
  mask: number[][] = [];

  constructor(nLayers: number) {
    this.keys = new Array<tf.Tensor4D | null>(nLayers).fill(null);
    this.values = new Array<tf.Tensor4D | null>(nLayers).fill(null);
  }

  /** Number of cached positions. */
  get length(): number {
    return this.mask[0]?.length ?? 0;
  }

  /** Appends this step's k, v ([B, kvHeads, T, hd]) to layer `layer`; returns the full k, v. */
  append(layer: number, k: tf.Tensor4D, v: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
    const pk = this.keys[layer];
    const pv = this.values[layer];
    const fullK = pk ? tf.concat([pk, k], 2) : k.clone();
    const fullV = pv ? tf.concat([pv, v], 2) : v.clone();
    pk?.dispose();
    pv?.dispose();
    this.keys[layer] = tf.keep(fullK);
    this.values[layer] = tf.keep(fullV);
    return [fullK, fullV];
  }

  dispose(): void {
    for (const t of [...this.keys, ...this.values]) t?.dispose();
    this.keys.fill(null);
    this.values.fill(null);
    this.mask = [];
  }
}

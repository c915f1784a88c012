// Every backend that works here (cpu, wasm, native, and webgpu — on this CI box Mesa's
// llvmpipe through OpenGL ES) computes the ops a transformer uses, and a whole GPT-style
// forward and backward pass, within 1e-4 of the cpu backend (relative to the largest
// magnitude of each result). The model follows GPT-2 (Radford et al. 2019: pre-LayerNorm
// blocks, causal self-attention, tanh-approximated GELU, weight-tied output layer).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateBackend } from '../../../src-main/engine/backendProbe';
import { loadNativeAddon } from '../../../src-main/engine/nativeAddon';
import type { BackendName } from '../../../src-main/engine/backendNames';

tf.env().set('PROD', true);

const TOLERANCE = 1e-4;
const working: BackendName[] = [];

function values(size: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i += 1) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** Runs f on a backend, returning every output as plain arrays (read asynchronously: GPU-safe). */
async function outputsOn(backend: BackendName, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  expect(await tf.setBackend(backend)).toBe(true);
  const tensors = tf.tidy(f);
  const result = await Promise.all(tensors.map(async (t) => Float32Array.from(await t.data())));
  tf.dispose(tensors);
  return result;
}

function relativeDifference(got: Float32Array, ref: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i += 1) {
    const r = ref[i] ?? NaN;
    diff = Math.max(diff, Math.abs((got[i] ?? NaN) - r));
    scale = Math.max(scale, Math.abs(r));
  }
  return diff / (scale + 1e-12);
}

async function expectAgreement(f: () => tf.Tensor[]): Promise<void> {
  const ref = await outputsOn('cpu', f);
  for (const backend of working) {
    if (backend === 'cpu') continue;
    const got = await outputsOn(backend, f);
    expect(got.length).toBe(ref.length);
    ref.forEach((r, i) => {
      const g = got[i] ?? new Float32Array(0);
      expect(g.length, `${backend} output ${i} size`).toBe(r.length);
      expect(relativeDifference(g, r), `${backend} output ${i}`).toBeLessThan(TOLERANCE);
    });
  }
}

const gelu = (x: tf.Tensor) =>
  tf.mul(
    tf.mul(x, 0.5),
    tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))),
  );

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), gamma), beta);
}

describe('backends agree on transformer ops', () => {
  beforeAll(async () => {
    for (const name of ['cpu', 'wasm', 'native', 'webgpu'] as const) {
      try {
        await activateBackend(name);
        working.push(name);
      } catch {
        // not available on this machine; the test below checks the ones that must be
      }
    }
  });

  it('runs on cpu, wasm and (when its addon is built) native', () => {
    console.info(`backends compared: ${working.join(', ')}`);
    expect(working).toContain('cpu');
    expect(working).toContain('wasm');
    if (loadNativeAddon().available) expect(working).toContain('native');
  });

  it('matmul, batched matmul with transposes', async () => {
    const a = values(2 * 3 * 17 * 24, 1);
    const b = values(2 * 3 * 24 * 19, 2);
    await expectAgreement(() => {
      const A = tf.tensor4d(a, [2, 3, 17, 24]);
      const B = tf.tensor4d(b, [2, 3, 24, 19]);
      return [
        tf.matMul(tf.reshape(A, [102, 24]), tf.reshape(tf.slice(B, [0, 0, 0, 0], [1, 1, 24, 19]), [24, 19])),
        tf.matMul(A, B),
        tf.matMul(tf.transpose(A, [0, 1, 3, 2]), B, true, false),
        tf.matMul(A, tf.transpose(B, [0, 1, 3, 2]), false, true),
        tf.matMul(tf.transpose(A, [0, 1, 3, 2]), tf.transpose(B, [0, 1, 3, 2]), true, true),
      ];
    });
  });

  it('softmax, log-softmax, gelu/tanh, layer norm pieces', async () => {
    const x = values(4 * 7 * 33, 3, 4);
    await expectAgreement(() => {
      const X = tf.tensor3d(x, [4, 7, 33]);
      const { mean, variance } = tf.moments(X, -1, true);
      return [
        tf.softmax(X),
        tf.logSoftmax(X),
        tf.tanh(X),
        gelu(X),
        mean,
        variance,
        tf.rsqrt(tf.add(variance, 1e-5)),
        layerNorm(X, tf.onesLike(mean), tf.zerosLike(mean)),
      ];
    });
  });

  it('gather and its gradient', async () => {
    const table = values(50 * 8, 4);
    const ids = [3, 49, 3, 0, 17, 17, 17, 8, 2, 40];
    const up = values(ids.length * 8, 5);
    await expectAgreement(() => {
      const W = tf.tensor2d(table, [50, 8]);
      const idx = tf.tensor1d(ids, 'int32');
      const grad = tf.grad((w: tf.Tensor) =>
        tf.sum(tf.mul(tf.gather(w, idx), tf.tensor2d(up, [ids.length, 8]))),
      )(W);
      return [tf.gather(W, idx), grad];
    });
  });

  it('a GPT-style forward and backward pass (loss and every weight gradient)', async () => {
    const [B, T, V, D, H] = [2, 6, 37, 16, 2];
    const dh = D / H;
    const tokens = Array.from({ length: B * T }, (_, i) => (i * 7 + 3) % V);
    const targets = Array.from({ length: B * T }, (_, i) => (i * 5 + 1) % V);
    const shapes = {
      wte: [V, D],
      wpe: [T, D],
      ln1g: [D],
      ln1b: [D],
      attnW: [D, 3 * D],
      attnB: [3 * D],
      projW: [D, D],
      ln2g: [D],
      ln2b: [D],
      fcW: [D, 4 * D],
      fcB: [4 * D],
      outW: [4 * D, D],
      lnfg: [D],
      lnfb: [D],
    };
    type Name = keyof typeof shapes;
    const names = Object.keys(shapes) as Name[];
    const init = names.map((name, i) => {
      const size = shapes[name].reduce((p, d) => p * d, 1);
      return name.endsWith('g') && shapes[name].length === 1
        ? values(size, 100 + i, 0.1).map((v) => 1 + v)
        : values(size, 100 + i, 0.2);
    });
    /** The weights by name, from tensors in `names` order. */
    const byName = (tensors: tf.Tensor[]): Record<Name, tf.Tensor> => {
      const entries = names.map((name, i) => {
        const t = tensors[i];
        if (!t) throw new Error(`missing weight ${name}`);
        return [name, t] as const;
      });
      return Object.fromEntries(entries) as Record<Name, tf.Tensor>;
    };
    const mask = new Float32Array(T * T).map((_, i) => (i % T > Math.floor(i / T) ? -1e9 : 0));

    await expectAgreement(() => {
      const params = names.map((name, i) => tf.tensor(init[i] ?? [], shapes[name]));
      const loss = (...weights: tf.Tensor[]) => {
        const w = byName(weights);
        let x = tf.add(tf.gather(w.wte, tf.tensor2d(tokens, [B, T], 'int32')), w.wpe); // [B,T,D]
        const h = tf.reshape(layerNorm(x, w.ln1g, w.ln1b), [B * T, D]);
        const qkv = tf.add(tf.matMul(h, w.attnW), w.attnB);
        const heads = (i: number) =>
          tf.transpose(tf.reshape(tf.slice(qkv, [0, i * D], [B * T, D]), [B, T, H, dh]), [0, 2, 1, 3]);
        const scores = tf.add(
          tf.div(tf.matMul(heads(0), heads(1), false, true), Math.sqrt(dh)),
          tf.tensor2d(mask, [T, T]),
        );
        const attn = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), heads(2)), [0, 2, 1, 3]), [
          B * T,
          D,
        ]);
        x = tf.add(x, tf.reshape(tf.matMul(attn, w.projW), [B, T, D]));
        const h2 = tf.reshape(layerNorm(x, w.ln2g, w.ln2b), [B * T, D]);
        const mlp = tf.matMul(gelu(tf.add(tf.matMul(h2, w.fcW), w.fcB)), w.outW);
        x = tf.add(x, tf.reshape(mlp, [B, T, D]));
        const logits = tf.matMul(tf.reshape(layerNorm(x, w.lnfg, w.lnfb), [B * T, D]), w.wte, false, true);
        const logp = tf.logSoftmax(logits);
        return tf.neg(
          tf.mean(tf.sum(tf.mul(logp, tf.oneHot(tf.tensor1d(targets, 'int32'), V)), -1)),
        ) as tf.Scalar;
      };
      const { value, grads } = tf.valueAndGrads(loss)(params);
      return [value, ...grads];
    });
  });
});

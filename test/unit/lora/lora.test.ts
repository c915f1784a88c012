/**
 * LoRA (Hu et al. 2021, arXiv:2106.09685) on GPT-2 (Conv1D, fan_in_fan_out) and Llama:
 * a fresh adapter is a no-op; only A and B are trainable and their gradients match finite
 * differences; per-example adapter copies give per-example gradients; the PEFT format
 * round-trips with PEFT's key names and shapes; merged weights give base + adapter logits.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  defaultTargetModules,
  loadAdapter,
  LoraAdapter,
  mergeAdapter,
  saveAdapter,
} from '../../../src-main/lora/index.js';
import {
  parseModelConfig,
  randomModel,
  SafetensorsFile,
  tokenLogProbs,
} from '../../../src-main/model/index.js';
import type { CausalLm } from '../../../src-main/model/index.js';
import { TINY_GPT2, TINY_LLAMA } from '../model/tinyModels.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ids = tf.tensor2d(
  [
    [3, 1, 4, 1, 5, 9, 2, 6],
    [2, 7, 1, 8, 2, 8, 1, 8],
  ],
  [2, 8],
  'int32',
);

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0]!);
}

/** Gives B random values so the adapter changes the model. */
function randomizeB(adapter: LoraAdapter, seed: number): void {
  for (const m of adapter.modules) m.b.assign(tf.randomNormal(m.b.shape, 0, 0.2, 'float32', seed++));
}

function lossOf(model: CausalLm, adapterMap: ReturnType<LoraAdapter['adapterMap']>): tf.Scalar {
  return tokenLogProbs(model, ids, { adapters: adapterMap }).mean().neg() as tf.Scalar;
}

const archs = [
  ['GPT-2', TINY_GPT2],
  ['Llama', TINY_LLAMA],
] as const;

for (const [name, cfg] of archs) {
  describe(`LoRA on ${name}`, () => {
    const model = randomModel(parseModelConfig(cfg), 2, { std: 0.2, biasStd: 0.05 });
    const options = { r: 4, alpha: 8, dropout: 0, targetModules: defaultTargetModules(model) };

    it('targets the PEFT default modules; a fresh adapter leaves logits unchanged', () => {
      const adapter = LoraAdapter.create(model, options, 1);
      const expected = name === 'GPT-2' ? ['c_attn'] : ['q_proj', 'v_proj'];
      expect(adapter.modules.map((m) => m.module.name.split('.').pop())).toEqual(
        Array.from({ length: 2 }, () => expected).flat(),
      );
      expect(adapter.trainableVariables).toHaveLength(2 * adapter.modules.length);
      const base = model.forward(ids);
      const withAdapter = model.forward(ids, { adapters: adapter.adapterMap() });
      expect(maxDiff(base, withAdapter)).toBe(0);
      tf.dispose([base, withAdapter]);
      adapter.dispose();
    });

    it('gradients reach only A and B and match central finite differences', () => {
      const adapter = LoraAdapter.create(model, options, 1);
      randomizeB(adapter, 5);
      const { value, grads } = tf.variableGrads(
        () => lossOf(model, adapter.adapterMap()),
        adapter.trainableVariables,
      );
      expect(Object.keys(grads).sort()).toEqual(adapter.trainableVariables.map((v) => v.name).sort());
      const h = 1e-2;
      for (const v of [adapter.modules[0]!.a, adapter.modules[1]!.b]) {
        const g = grads[v.name]!.dataSync();
        const flat = v.dataSync().slice();
        for (const i of [0, 7]) {
          const at = (x: number) => {
            const copy = flat.slice();
            copy[i] = x;
            v.assign(tf.tensor(copy, v.shape));
            return tf.tidy(() => lossOf(model, adapter.adapterMap()).dataSync()[0]!);
          };
          const fd = (at(flat[i]! + h) - at(flat[i]! - h)) / (2 * h);
          v.assign(tf.tensor(flat, v.shape));
          expect(Math.abs(fd - g[i]!)).toBeLessThan(2e-3 * Math.max(1, Math.abs(fd)));
        }
      }
      tf.dispose([value, ...Object.values(grads)]);
      adapter.dispose();
    });

    it('per-example adapter copies give each example its own gradient', () => {
      const adapter = LoraAdapter.create(model, options, 3);
      randomizeB(adapter, 9);
      const batch = ids.shape[0];
      // per-example copies [B, r, in], [B, out, r]; the summed loss's gradient w.r.t. copy b is example b's gradient
      const tiled = adapter.modules.flatMap((m) => [
        tf.stack(Array(batch).fill(m.a)),
        tf.stack(Array(batch).fill(m.b)),
      ]);
      const perExample = tf.grads((...ts: tf.Tensor[]) => {
        const pairs = adapter.modules.map((_, i) => ({ a: ts[2 * i]!, b: ts[2 * i + 1]! }));
        return tokenLogProbs(model, ids, { adapters: adapter.adapterMapFrom(pairs) })
          .sum(1)
          .neg()
          .sum() as tf.Scalar;
      })(tiled);
      for (let b = 0; b < batch; b++) {
        const single = ids.slice([b, 0], [1, -1]) as tf.Tensor2D;
        const { grads } = tf.variableGrads(
          () => tokenLogProbs(model, single, { adapters: adapter.adapterMap() }).sum().neg() as tf.Scalar,
          adapter.trainableVariables,
        );
        adapter.trainableVariables.forEach((v, j) => {
          const mine = perExample[j]!.slice([b], [1]).squeeze([0]);
          expect(maxDiff(mine, grads[v.name]!)).toBeLessThan(1e-4);
        });
      }
      adapter.dispose();
    });

    it('PEFT save/load round trip: key names, shapes, config fields, same logits', async () => {
      const adapter = LoraAdapter.create(model, options, 4);
      randomizeB(adapter, 13);
      const dir = mkdtempSync(join(tmpdir(), 'confidant-peft-'));
      await saveAdapter(adapter, model, dir, { baseModelNameOrPath: 'tiny' });
      const config = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
      expect(config).toMatchObject({
        peft_type: 'LORA',
        task_type: 'CAUSAL_LM',
        r: 4,
        lora_alpha: 8,
        bias: 'none',
      });
      expect(config.fan_in_fan_out).toBe(name === 'GPT-2');
      expect(config.target_modules).toEqual(options.targetModules);
      const st = await SafetensorsFile.open(join(dir, 'adapter_model.safetensors'));
      const first = adapter.modules[0]!.module;
      const keyA = `base_model.model.${first.name}.lora_A.weight`;
      expect(first.name).toMatch(
        name === 'GPT-2' ? /^transformer\.h\.0\.attn\.c_attn$/ : /^model\.layers\.0\.self_attn\.q_proj$/,
      );
      expect(st.info(keyA).shape).toEqual([4, first.inFeatures]);
      expect(st.info(`base_model.model.${first.name}.lora_B.weight`).shape).toEqual([first.outFeatures, 4]);
      await st.close();
      const loaded = await loadAdapter(model, dir);
      const a = model.forward(ids, { adapters: adapter.adapterMap() });
      const b = model.forward(ids, { adapters: loaded.adapterMap() });
      const base = model.forward(ids);
      expect(maxDiff(a, base)).toBeGreaterThan(1e-3); // the adapter does something
      expect(maxDiff(a, b)).toBe(0);
      tf.dispose([a, b, base]);
      loaded.dispose();
      adapter.dispose();
    });

    it('merged weights give the same logits as base + adapter', () => {
      const adapter = LoraAdapter.create(
        model,
        {
          ...options,
          targetModules: name === 'GPT-2' ? ['c_attn', 'c_fc'] : ['q_proj', 'o_proj', 'down_proj'],
        },
        6,
      );
      randomizeB(adapter, 21);
      const merged = mergeAdapter(model, adapter);
      const a = model.forward(ids, { adapters: adapter.adapterMap() });
      const b = merged.forward(ids);
      expect(maxDiff(a, b)).toBeLessThan(1e-4);
      tf.dispose([a, b]);
      merged.dispose();
      adapter.dispose();
    });
  });
}

describe('adapter files that do not fit are rejected', () => {
  const model = randomModel(parseModelConfig(TINY_GPT2), 2);
  async function saved() {
    const adapter = LoraAdapter.create(model, { r: 2, alpha: 4, dropout: 0.1, targetModules: ['c_attn'] }, 1);
    const dir = mkdtempSync(join(tmpdir(), 'confidant-peft-'));
    await saveAdapter(adapter, model, dir);
    adapter.dispose();
    return dir;
  }
  it('DoRA, trained biases, per-module ranks and a missing config are refused with the field named', async () => {
    const dir = await saved();
    const file = join(dir, 'adapter_config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    for (const [patch, field] of [
      [{ use_dora: true }, 'use_dora'],
      [{ bias: 'all' }, 'bias'],
      [{ rank_pattern: { c_attn: 8 } }, 'rank_pattern'],
      [{ peft_type: 'IA3' }, 'peft_type'],
      [{ r: 0 }, 'r'],
    ] as const) {
      writeFileSync(file, JSON.stringify({ ...config, ...patch }));
      await expect(loadAdapter(model, dir)).rejects.toMatchObject({
        code: 'ADAPTER_CONFIG_INVALID',
        options: { where: { field } },
      });
    }
    writeFileSync(file, '{');
    await expect(loadAdapter(model, dir)).rejects.toMatchObject({ code: 'ADAPTER_CONFIG_INVALID' });
  });
  it('an adapter for another model (wrong shapes or targets) is refused', async () => {
    const dir = await saved();
    const llama = randomModel(parseModelConfig(TINY_LLAMA), 2);
    await expect(loadAdapter(llama, dir)).rejects.toMatchObject({ code: 'ADAPTER_EMPTY' });
    const bigger = randomModel(parseModelConfig({ ...TINY_GPT2, n_embd: 48 }), 2);
    await expect(loadAdapter(bigger, dir)).rejects.toMatchObject({ code: 'ADAPTER_SHAPE_MISMATCH' });
    const file = join(dir, 'adapter_config.json');
    writeFileSync(
      file,
      JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), target_modules: ['c_attn', 'c_proj'] }),
    );
    await expect(loadAdapter(model, dir)).rejects.toMatchObject({ code: 'ADAPTER_MISSING_TENSOR' });
    llama.dispose();
    bigger.dispose();
  });
  it('bad options are refused', () => {
    expect(() =>
      LoraAdapter.create(model, { r: 0, alpha: 1, dropout: 0, targetModules: ['c_attn'] }),
    ).toThrow(/rank/);
    expect(() =>
      LoraAdapter.create(model, { r: 2, alpha: 1, dropout: 0, targetModules: ['q_proj'] }),
    ).toThrow(/no module/);
  });
});

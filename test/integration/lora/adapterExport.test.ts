/**
 * Taking an adapter out of the store and bringing one in (issue #22): a DP run's adapter
 * exported by Confidant follows the layout Hugging Face peft writes (keys
 * `base_model.model.<module>.lora_A.weight`, F32, `format: pt` metadata; LoraConfig fields in
 * adapter_config.json; huggingface/peft docs/source/developer_guides/checkpoint.md), loads
 * back through the PEFT folder loader with scores identical to the stored adapter's, carries a
 * model card with the guarantee and the signed report's fingerprint, and is logged in the
 * audit log; the merged export scores like base + adapter; import makes a completed run whose
 * stored adapter scores identically; nothing is ever overwritten.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAdapter, loadAdapterArchive } from '../../../src-main/lora/index.js';
import { bundledModelDir } from '../../../src-main/model/bundledModel.js';
import { loadModel, scoreTexts, TextTokenizer, type CausalLm } from '../../../src-main/model/index.js';
import { ed25519Signer, createSignedReport, keyFingerprint } from '../../../src-main/report/index.js';
import { reportModelFromStore } from '../../../src-main/report/reportFromStore.js';
import { exportRunAdapter } from '../../../src-main/report/runAdapterExport.js';
import { isConfidantError } from '../../../src-main/shared/confidantError.js';
import { importExternalAdapter } from '../../../src-main/train/importedAdapter.js';
import { train } from '../../../src-main/train/trainer.js';
import { runCli } from '../../helpers/runCli.js';
import {
  FIXTURE_PASSPHRASE,
  smallRunConfig,
  trainingFixture,
  type TrainingFixture,
} from '../../helpers/trainingFixture.js';

let fixture: TrainingFixture;
let dpRun: number;
let plainRun: number;
let model: CausalLm;
let tokenizer: TextTokenizer;
const texts = [
  'Patient seen in clinic today with chest pain, ECG normal.',
  'Discharge summary: pneumonia treated with amoxicillin, follow up in two weeks.',
  'Blood pressure 142/91, started on lisinopril.',
];

/** The raw safetensors header, read without Confidant's reader (8-byte LE length + JSON). */
function safetensorsHeader(
  file: string,
): Record<string, { dtype: string; shape: number[] } | Record<string, string>> {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  return JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
}

async function scores(
  adapterMap?: ReturnType<Awaited<ReturnType<typeof loadAdapter>>['adapterMap']>,
  lm = model,
) {
  const s = await scoreTexts(lm, tokenizer, texts, {
    batchSize: 4,
    ...(adapterMap ? { adapters: adapterMap } : {}),
  });
  return s.map((x) => x.meanNll);
}

beforeAll(async () => {
  fixture = await trainingFixture(80, 5);
  const dp = await train({
    store: fixture.store,
    config: smallRunConfig({ privacy: { mode: 'target-epsilon', epsilon: 8 }, steps: 4 }),
    runName: 'dp',
  });
  dpRun = dp.runId;
  const plain = await train({ store: fixture.store, config: smallRunConfig({ steps: 4 }), runName: 'plain' });
  plainRun = plain.runId;
  // a signed report of the DP run, stored as the report job stores it
  const signed = await createSignedReport(
    reportModelFromStore(fixture.store, [dpRun]),
    ed25519Signer(fixture.store.signingKeyPair().privateKey),
  );
  const blob = fixture.store.blobs.put('report', signed.pdf);
  fixture.store.audits.createReport({ runId: dpRun, title: 'dp report', blobId: blob.id });
  ({ model } = await loadModel(bundledModelDir()));
  tokenizer = await TextTokenizer.load(bundledModelDir());
}, 600_000);

afterAll(() => fixture?.remove());

describe('adapter export', () => {
  it('writes the PEFT layout, loads back with identical scores, and states the guarantee', async () => {
    const out = join(fixture.directory, 'export-dp');
    const result = await exportRunAdapter(fixture.store, {
      runId: dpRun,
      outDir: out,
      exportedAt: new Date('2026-01-02T03:04:05Z'),
    });
    expect(readdirSync(out).sort()).toEqual([
      'README.md',
      'adapter_config.json',
      'adapter_model.safetensors',
    ]);

    // weights: peft's key names, F32, [r, in] / [out, r], format pt, no adapter name segment
    const header = safetensorsHeader(join(out, 'adapter_model.safetensors'));
    expect(header.__metadata__).toEqual({ format: 'pt' });
    const keys = Object.keys(header)
      .filter((k) => k !== '__metadata__')
      .sort();
    const layers = model.config.nLayers;
    const d = model.config.dModel;
    expect(keys).toHaveLength(2 * layers);
    for (let i = 0; i < layers; i++) {
      const a = header[`base_model.model.transformer.h.${i}.attn.c_attn.lora_A.weight`] as {
        dtype: string;
        shape: number[];
      };
      const b = header[`base_model.model.transformer.h.${i}.attn.c_attn.lora_B.weight`] as {
        dtype: string;
        shape: number[];
      };
      expect(a).toMatchObject({ dtype: 'F32', shape: [8, d] });
      expect(b).toMatchObject({ dtype: 'F32', shape: [3 * d, 8] });
    }
    expect(keys.some((k) => k.includes('.default.'))).toBe(false);

    // config: LoraConfig fields as peft's save_pretrained writes them
    const config = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      r: 8,
      lora_alpha: 16,
      target_modules: ['c_attn'],
      fan_in_fan_out: true, // GPT-2's Conv1D stores weights [in, out]
      bias: 'none',
      inference_mode: true,
      use_dora: false,
      use_rslora: false,
      modules_to_save: null,
    });

    // round trip: the folder loads through the PEFT loader and scores exactly like the stored adapter
    const adapterRow = fixture.store.checkpoints.adapters(dpRun).at(-1)!;
    const stored = await loadAdapterArchive(model, fixture.store.blobs.read(adapterRow.blobId));
    const loaded = await loadAdapter(model, out);
    const storedScores = await scores(stored.adapterMap());
    const loadedScores = await scores(loaded.adapterMap());
    expect(loadedScores).toEqual(storedScores);
    expect(loadedScores).not.toEqual(await scores()); // the adapter does change the model
    stored.dispose();
    loaded.dispose();

    // the card: base model, data, guarantee, report fingerprint
    const summary = JSON.parse(fixture.store.runs.get(dpRun)!.summaryJson!);
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    expect(card).toMatch(/^---\nbase_model: "confidant-demo-gpt2"\nlibrary_name: peft\n/);
    expect(card).toContain('dataset: notes');
    expect(card).toMatch(/size: (fewer than 100|\d[\d,]*–[\d,]+) records/);
    expect(summary.privacy.epsilon).toBeLessThanOrEqual(8);
    expect(card).toContain(`(ε = ${(Math.ceil(summary.privacy.epsilon * 100) / 100).toFixed(2)}, δ = `);
    expect(card).toContain('per record');
    expect(card).toContain(summary.privacy.accountant.toUpperCase());
    expect(card).toContain('Not audited');
    const pdf = fixture.store.blobs.read(fixture.store.audits.reports(dpRun).at(-1)!.blobId);
    expect(card).toContain(createHash('sha256').update(pdf).digest('hex'));
    expect(card).toContain(keyFingerprint(fixture.store.signingKeyPair().publicKey));

    // logged
    const entry = fixture.store.auditLog.list().find((e) => e.seq === result.auditLogSeq)!;
    expect(entry).toMatchObject({ action: 'export', subject: `run:${dpRun}` });
    expect(entry.details.sha256).toBe(
      createHash('sha256')
        .update(readFileSync(join(out, 'adapter_model.safetensors')))
        .digest('hex'),
    );
    expect(fixture.store.auditLog.verify().ok).toBe(true);
  });

  it('says "no privacy guarantee" for a non-private run', async () => {
    const out = join(fixture.directory, 'export-plain');
    await exportRunAdapter(fixture.store, { runId: plainRun, outDir: out });
    const card = readFileSync(join(out, 'README.md'), 'utf8');
    expect(card).toContain('no privacy guarantee');
    expect(card).not.toContain('ε =');
    expect(card).toContain('No signed report');
  });

  it('--merged writes a Hugging Face model folder that scores like base + adapter', async () => {
    const out = join(fixture.directory, 'export-merged');
    const result = await exportRunAdapter(fixture.store, { runId: dpRun, outDir: out, merged: true });
    expect(result.files).toEqual(
      expect.arrayContaining(['config.json', 'model.safetensors', 'tokenizer.json', 'README.md']),
    );
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('library_name: transformers');
    const { model: merged } = await loadModel(out);
    const adapterRow = fixture.store.checkpoints.adapters(dpRun).at(-1)!;
    const stored = await loadAdapterArchive(model, fixture.store.blobs.read(adapterRow.blobId));
    const expected = await scores(stored.adapterMap());
    const got = await scores(undefined, merged);
    for (let i = 0; i < texts.length; i++) expect(got[i]!).toBeCloseTo(expected[i]!, 4); // fp32 rounding of W + BA
    stored.dispose();
    merged.dispose();
  });

  it('never writes into a folder that holds files', async () => {
    const out = join(fixture.directory, 'occupied');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const error = await exportRunAdapter(fixture.store, { runId: dpRun, outDir: out }).catch(
      (e: unknown) => e,
    );
    expect(isConfidantError(error) && error.code).toBe('adapter.out-not-empty');
    expect(readdirSync(out)).toEqual(['notes.txt']);
  });
});

describe('adapter import', () => {
  it('brings an exported adapter back as a completed run with identical scores and no guarantee', async () => {
    const out = join(fixture.directory, 'export-dp');
    const before = fixture.store.runs.list().length;
    const imported = await importExternalAdapter(fixture.store, {
      model: 'bundled',
      adapterDir: out,
      name: 'vendor',
    });
    expect(fixture.store.runs.list()).toHaveLength(before + 1);
    const run = fixture.store.runs.get(imported.runId)!;
    expect(run.status).toBe('completed');
    const summary = JSON.parse(run.summaryJson!);
    expect(summary.privacy).toMatchObject({ mode: 'none', epsilon: null });
    expect(imported.finalEvalLoss).toBeLessThan(imported.baseEvalLoss);
    const row = fixture.store.checkpoints.adapters(imported.runId).at(-1)!;
    const stored = await loadAdapterArchive(model, fixture.store.blobs.read(row.blobId));
    const fromFolder = await loadAdapter(model, out);
    expect(await scores(stored.adapterMap())).toEqual(await scores(fromFolder.adapterMap()));
    stored.dispose();
    fromFolder.dispose();
    expect(fixture.store.auditLog.list().at(-1)).toMatchObject({
      action: 'import',
      subject: `run:${imported.runId}`,
    });
  });

  it('names the file and field when the adapter does not fit the model', async () => {
    const bad = join(fixture.directory, 'bad-adapter');
    mkdirSync(bad);
    writeFileSync(
      join(bad, 'adapter_config.json'),
      JSON.stringify({ peft_type: 'LORA', r: 8, lora_alpha: 16, target_modules: ['q_proj'] }),
    );
    writeFileSync(
      join(bad, 'adapter_model.safetensors'),
      readFileSync(join(fixture.directory, 'export-dp', 'adapter_model.safetensors')),
    );
    const error = await importExternalAdapter(fixture.store, { model: 'bundled', adapterDir: bad }).catch(
      (e: unknown) => e,
    );
    expect(isConfidantError(error) && error.code).toBe('ADAPTER_EMPTY');
    expect(isConfidantError(error) && error.options.where?.field).toBe('target_modules');
  });
});

describe('confidant adapter export (CLI)', () => {
  it('exports with the flags of the issue and prints JSON', async () => {
    const out = join(fixture.directory, 'cli-export');
    fixture.store.close();
    try {
      const r = await runCli(
        [
          'adapter',
          'export',
          '--run',
          String(dpRun),
          '--out',
          out,
          '--store',
          fixture.storeDirectory,
          '--json',
        ],
        {
          env: { CONFIDANT_PASSPHRASE: FIXTURE_PASSPHRASE },
        },
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ runId: dpRun, merged: false });
      expect(readdirSync(out).sort()).toEqual([
        'README.md',
        'adapter_config.json',
        'adapter_model.safetensors',
      ]);
    } finally {
      (fixture as { store: unknown }).store = (await import('../../../src-main/store/index.js')).Store.open({
        directory: fixture.storeDirectory,
        passphrase: FIXTURE_PASSPHRASE,
      });
    }
  });
});

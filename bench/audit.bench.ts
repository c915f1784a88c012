// The privacy audit suite on the bundled demo model (4.3M-parameter GPT-2, resources/models/
// confidant-demo-gpt2): seconds per stage and in total, with the base model as target and
// reference (no adapter: this measures cost, not leakage). Sizes from the environment:
// AUDIT_TEXTS (members and as many non-members, default 32), AUDIT_SAMPLES (sampled canary
// candidates for the MRN format, default 500), AUDIT_EXACT (1 = the 10^4 door-code format,
// ranked exactly). Prints one JSON object.
// Run: node --import tsx bench/audit.bench.ts
import { resolve } from 'node:path';
import { CANARY_FORMATS, designCanaries, runAuditSuite, seededAuditRandom } from '../src-main/audit/index.js';
import { generateSyntheticDataset } from '../src-main/data/index.js';
import { initBackend } from '../src-main/engine/initBackend.js';
import { loadModel, TextTokenizer } from '../src-main/model/index.js';

const texts = Number(process.env.AUDIT_TEXTS ?? 32);
const samples = Number(process.env.AUDIT_SAMPLES ?? 500);
const exact = process.env.AUDIT_EXACT === '1';

const backend = await initBackend();
const dir = resolve(import.meta.dirname, '../resources/models/confidant-demo-gpt2');
const { model } = await loadModel(dir);
const tokenizer = await TextTokenizer.load(dir);
const data = generateSyntheticDataset({ records: 6 * texts, seed: 9 }).filter((r) => r.text !== undefined);
const train = data.filter((r) => r.split === 'train').slice(0, texts);
const held = data.filter((r) => r.split !== 'train').slice(0, texts);
const canaries = designCanaries({
  format: exact ? CANARY_FORMATS.doorCode : CANARY_FORMATS.mrn,
  perRepetition: 2,
  random: seededAuditRandom(1),
});
const stageStart = new Map<string, number>();
const stageSeconds: Record<string, number> = {};
const started = performance.now();
const result = await runAuditSuite({
  model,
  tokenizer,
  target: { name: 'base' },
  references: [{ name: 'base' }],
  members: train.map((r) => r.text!),
  nonMembers: held.map((r) => r.text!),
  canaries,
  extraction: { records: train.map((r) => r.text!), prefixTokens: 32, generatedTokens: 32 },
  pii: { records: train.map((r) => ({ text: r.text!, spans: r.piiSpans })) },
  oneRun: {
    included: train.slice(0, texts / 2).map((r) => r.text!),
    excluded: held.slice(0, texts / 2).map((r) => r.text!),
    delta: 1e-5,
  },
  backdoor: { trainingRecords: train.map((r) => ({ text: r.text!, subjectId: r.subjectId })) },
  theoreticalEpsilon: null,
  options: { exposureSamples: samples },
  onProgress: (e) => {
    const now = performance.now();
    if (!stageStart.has(e.stage)) stageStart.set(e.stage, now);
    stageSeconds[e.stage] = (now - stageStart.get(e.stage)!) / 1000;
  },
});
console.log(
  JSON.stringify({
    backend: backend.name,
    texts,
    canaryFormat: canaries.format.name,
    canaryMethod: result.canaries?.method,
    exposureSamples: exact ? null : samples,
    piiEntities: result.piiLeakage.entities,
    stageSeconds,
    totalSeconds: (performance.now() - started) / 1000,
    strongest: result.membership.strongest,
  }),
);

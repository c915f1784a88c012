/** The work behind `confidant model info`, `generate` and `score` (see ./model.ts). */
import { readFile } from 'node:fs/promises';
import { initBackend } from '../../engine/initBackend.js';
import { parseBackendName } from '../../engine/backendNames.js';
import { loadAdapter } from '../../lora/index.js';
import {
  Checkpoint,
  generateTokens,
  loadModel,
  parameterCount,
  readModelConfig,
  scoreTexts,
  TextStreamer,
  TextTokenizer,
} from '../../model/index.js';
import type { AdapterMap, CausalLm } from '../../model/index.js';
import { ConfidantError } from '../../shared/confidantError.js';
import { ProgressBar } from '../progressBar.js';

export async function modelInfo(dir: string) {
  const config = await readModelConfig(dir);
  const checkpoint = await Checkpoint.open(dir);
  const counts = new Map<string, number>();
  for (const name of checkpoint.names) {
    const dtype = checkpoint.info(name).dtype;
    counts.set(dtype, (counts.get(dtype) ?? 0) + 1);
  }
  await checkpoint.close();
  let tokenizerVocab: number | null = null;
  try {
    tokenizerVocab = (await TextTokenizer.load(dir)).vocabSize;
  } catch (error) {
    if (!(error instanceof ConfidantError && error.code === 'TOKENIZER_MISSING')) throw error;
  }
  return {
    dir,
    architecture: config.architecture,
    modelType: config.modelType,
    parameters: parameterCount(config),
    dtype: [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null,
    torchDtype: config.torchDtype,
    vocabSize: config.vocabSize,
    tokenizerVocabSize: tokenizerVocab,
    contextLength: config.contextLength,
    layers: config.nLayers,
    hiddenSize: config.dModel,
    heads: config.nHeads,
    kvHeads: config.architecture === 'llama' ? config.nKvHeads : config.nHeads,
  };
}

interface Loaded {
  model: CausalLm;
  tokenizer: TextTokenizer;
  adapters?: AdapterMap;
}

async function loadForRun(opts: { model: string; adapter?: string; backend?: string }): Promise<Loaded> {
  await initBackend(opts.backend === undefined ? undefined : parseBackendName(opts.backend));
  const tokenizer = await TextTokenizer.load(opts.model);
  // a bar on a terminal only: generate's stdout and stderr stay clean in pipes and logs
  const bar = process.stderr.isTTY ? new ProgressBar('loading model') : undefined;
  const { model } = await loadModel(opts.model, {
    onProgress: (done, total) => bar?.update(done, total, 'tensors'),
  });
  bar?.done();
  if (!opts.adapter) return { model, tokenizer };
  const adapter = await loadAdapter(model, opts.adapter);
  return { model, tokenizer, adapters: adapter.adapterMap() };
}

export interface GenerateFlags {
  model: string;
  adapter?: string;
  prompt: string;
  maxTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  seed: number;
  backend?: string;
}

export async function runGenerate(opts: GenerateFlags): Promise<void> {
  const { model: lm, tokenizer, adapters } = await loadForRun(opts);
  const prompt = tokenizer.encode(opts.prompt);
  const streamer = new TextStreamer(
    (ids) => tokenizer.decode(ids, { skipSpecialTokens: true }),
    (text) => process.stdout.write(text),
  );
  await generateTokens(lm, prompt, {
    maxNewTokens: opts.maxTokens,
    temperature: opts.temperature,
    topP: opts.topP,
    topK: opts.topK,
    seed: opts.seed,
    stopTokens: lm.config.eosTokenIds,
    onToken: (id) => streamer.push(id),
    ...(adapters ? { adapters } : {}),
  });
  streamer.flush();
  process.stdout.write('\n');
}

export interface ScoreFlags {
  model: string;
  adapter?: string;
  textFile: string;
  batchSize: number;
  json?: boolean;
  backend?: string;
}

export async function runScore(opts: ScoreFlags): Promise<void> {
  let text: string;
  try {
    text = await readFile(opts.textFile, 'utf8');
  } catch (error) {
    throw new ConfidantError('CLI_TEXT_FILE', `cannot read the text file (${(error as Error).message})`, {
      where: { file: opts.textFile },
    });
  }
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const { model: lm, tokenizer, adapters } = await loadForRun(opts);
  const scores = await scoreTexts(lm, tokenizer, lines, {
    batchSize: opts.batchSize,
    ...(adapters ? { adapters } : {}),
  });
  const rows = scores.map((s, i) => ({ line: i + 1, tokens: s.tokens, meanNll: s.meanNll }));
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ model: opts.model, adapter: opts.adapter ?? null, unit: 'nats/token', lines: rows })}\n`,
    );
    return;
  }
  for (const r of rows)
    process.stdout.write(`${r.line}\t${r.tokens}\t${r.meanNll === null ? '-' : r.meanNll.toFixed(4)}\n`);
}

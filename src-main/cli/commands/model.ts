/**
 * `confidant model info`, `confidant generate` and `confidant score`: inspect a local
 * Hugging Face model folder, generate text from it (streamed to stdout), and print the
 * mean negative log-likelihood per token (nats) of each line of a text file.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
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

function number(name: string, min: number, max: number, integer = false) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new ConfidantError(
        'CLI_BAD_OPTION',
        `${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}] (got "${value}")`,
        {
          where: { field: name },
        },
      );
    }
    return n;
  };
}

async function modelInfo(dir: string) {
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
  const { model } = await loadModel(opts.model);
  if (!opts.adapter) return { model, tokenizer };
  const adapter = await loadAdapter(model, opts.adapter);
  return { model, tokenizer, adapters: adapter.adapterMap() };
}

export function registerModel(program: Command): void {
  const model = program.command('model').description('inspect local Hugging Face model folders');
  model
    .command('info')
    .description('architecture, parameter count, dtype, vocabulary and context length of a model folder')
    .argument('<dir>', 'model folder (config.json, *.safetensors, tokenizer.json)')
    .option('--json', 'print JSON')
    .action(async (dir: string, opts: { json?: boolean }) => {
      const info = await modelInfo(dir);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
        return;
      }
      for (const [k, v] of Object.entries(info)) process.stdout.write(`${k.padEnd(20)} ${String(v)}\n`);
    });

  program
    .command('generate')
    .description('generate text from a prompt, streamed to stdout')
    .requiredOption('--model <dir>', 'model folder')
    .option('--adapter <dir>', 'LoRA adapter folder (PEFT format)')
    .requiredOption('--prompt <text>', 'prompt text')
    .option('--max-tokens <n>', 'most new tokens', number('--max-tokens', 1, 100_000, true), 64)
    .option('--temperature <t>', '0 = greedy', number('--temperature', 0, 100), 0)
    .option('--top-p <p>', 'nucleus sampling mass', number('--top-p', 0, 1), 1)
    .option(
      '--top-k <k>',
      'sample from the k most likely tokens (0 = all)',
      number('--top-k', 0, 1e9, true),
      0,
    )
    .option('--seed <s>', 'sampling seed', number('--seed', 0, 2 ** 32 - 1, true), 0)
    .option('--backend <name>', 'tensor backend (default: fastest available)')
    .action(
      async (opts: {
        model: string;
        adapter?: string;
        prompt: string;
        maxTokens: number;
        temperature: number;
        topP: number;
        topK: number;
        seed: number;
        backend?: string;
      }) => {
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
      },
    );

  program
    .command('score')
    .description('mean negative log-likelihood per token (nats) of each line of a text file')
    .requiredOption('--model <dir>', 'model folder')
    .option('--adapter <dir>', 'LoRA adapter folder (PEFT format)')
    .requiredOption('--text-file <file>', 'UTF-8 text, one text per line')
    .option('--batch-size <n>', 'lines per forward pass', number('--batch-size', 1, 1024, true), 8)
    .option('--json', 'print JSON')
    .option('--backend <name>', 'tensor backend (default: fastest available)')
    .action(
      async (opts: {
        model: string;
        adapter?: string;
        textFile: string;
        batchSize: number;
        json?: boolean;
        backend?: string;
      }) => {
        let text: string;
        try {
          text = await readFile(opts.textFile, 'utf8');
        } catch (error) {
          throw new ConfidantError(
            'CLI_TEXT_FILE',
            `cannot read the text file (${(error as Error).message})`,
            {
              where: { file: opts.textFile },
            },
          );
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
          process.stdout.write(
            `${r.line}\t${r.tokens}\t${r.meanNll === null ? '-' : r.meanNll.toFixed(4)}\n`,
          );
      },
    );
}

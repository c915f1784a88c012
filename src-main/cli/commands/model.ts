/**
 * `confidant model info`, `model plan`, `model random`, `confidant generate` and `confidant score`: inspect
 * a local Hugging Face model folder, plan the memory of a fine-tuning run, write a random
 * model folder (`model random`), generate text
 * from it (streamed to stdout), and print the mean negative log-likelihood per token (nats)
 * of each line of a text file. The work is in ./modelActions.ts, ./modelPlan.ts and
 * ./modelRandom.ts, loaded
 * only when one of these commands runs (tfjs takes a second to load, and every other
 * command would pay for it).
 */
import type { Command } from 'commander';
import { ConfidantError } from '../../shared/confidantError.js';
import type { GenerateFlags, ScoreFlags } from './modelActions.js';
import type { PlanFlags } from './modelPlan.js';
import type { RandomFlags } from './modelRandom.js';

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

export function registerModel(program: Command): void {
  const model = program.command('model').description('inspect local Hugging Face model folders');
  model
    .command('info')
    .description('architecture, parameter count, dtype, vocabulary and context length of a model folder')
    .argument('<dir>', 'model folder (config.json, *.safetensors, tokenizer.json)')
    .option('--json', 'print JSON')
    .action(async (dir: string, opts: { json?: boolean }) => {
      const { modelInfo } = await import('./modelActions.js');
      const info = await modelInfo(dir);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
        return;
      }
      for (const [k, v] of Object.entries(info)) process.stdout.write(`${k.padEnd(20)} ${String(v)}\n`);
    });

  model
    .command('plan')
    .description('device memory a LoRA fine-tuning run needs (from config.json alone) and whether it fits')
    .requiredOption('--model <dir>', 'model folder (only config.json is read)')
    .requiredOption('--batch <n>', 'sequences per micro-batch', number('--batch', 1, 65_536, true))
    .requiredOption('--seq <n>', 'tokens per sequence', number('--seq', 1, 1_048_576, true))
    .requiredOption('--lora-r <n>', 'LoRA rank', number('--lora-r', 1, 4096, true))
    .option('--weights <format>', 'frozen base weights: fp32, bf16, int8 or nf4', 'fp32')
    .option('--backend <name>', 'tensor backend; cpu, wasm and native use host memory')
    .option('--checkpointing', 'gradient checkpointing (recompute each block in the backward pass)')
    .option('--fused-attention', 'the executor recomputes attention probabilities in the backward pass')
    .option('--no-dp', 'plan a non-private run (no per-example gradients)')
    .option('--targets <list>', 'LoRA target modules, comma-separated (default: q_proj,v_proj or c_attn)')
    .option(
      '--device-gb <n>',
      'device memory in GiB (default: host memory for CPU backends)',
      number('--device-gb', 0.001, 1e6),
    )
    .option('--json', 'print JSON')
    .action(async (opts: PlanFlags) => {
      const { planReport, describePlan } = await import('./modelPlan.js');
      const report = await planReport(opts);
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${describePlan(report)}\n`);
    });

  model
    .command('random')
    .description(
      'write a random-weight model folder (safetensors + config + tokenizer) for tests and benchmarks',
    )
    .requiredOption('--config <file>', 'config.json of the shape to build (any supported architecture)')
    .requiredOption('--out <dir>', 'output folder')
    .option('--dtype <dtype>', 'storage dtype: bf16, f16 or fp32', 'bf16')
    .option('--seed <s>', 'seed (same seed, same bytes)', number('--seed', 0, 2 ** 32 - 1, true), 0)
    .option('--std <s>', 'standard deviation of the weights', number('--std', 0, 10), 0.02)
    .action(async (opts: RandomFlags) => {
      const { runRandom } = await import('./modelRandom.js');
      await runRandom(opts);
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
    .action(async (opts: GenerateFlags) => {
      const { runGenerate } = await import('./modelActions.js');
      await runGenerate(opts);
    });

  program
    .command('score')
    .description('mean negative log-likelihood per token (nats) of each line of a text file')
    .requiredOption('--model <dir>', 'model folder')
    .option('--adapter <dir>', 'LoRA adapter folder (PEFT format)')
    .requiredOption('--text-file <file>', 'UTF-8 text, one text per line')
    .option('--batch-size <n>', 'lines per forward pass', number('--batch-size', 1, 1024, true), 8)
    .option('--json', 'print JSON')
    .option('--backend <name>', 'tensor backend (default: fastest available)')
    .action(async (opts: ScoreFlags) => {
      const { runScore } = await import('./modelActions.js');
      await runScore(opts);
    });
}

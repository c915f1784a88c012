/**
 * Crash safety of training with a really killed process: `confidant train` is SIGKILLed
 * right after a mid-run checkpoint, then `confidant train --resume` finishes the run.
 *   - Non-private: the resumed run ends with exactly the adapter of an uninterrupted run
 *     (same data order, optimizer state and weights from the checkpoint).
 *   - DP: the adapter's ledger covers exactly the run's steps, and the ledger charged in
 *     the store is never smaller (steps charged write-ahead before the kill stay charged),
 *     so the ε reported is never under-counted.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privacySpent } from '../../../src-main/dp/privacySpent.js';
import { Store } from '../../../src-main/store/index.js';
import { runCli } from '../../helpers/runCli.js';
import { FIXTURE_PASSPHRASE, trainingFixture, type TrainingFixture } from '../../helpers/trainingFixture.js';

const repoRoot = resolve(import.meta.dirname, '../../..');
let fixture: TrainingFixture;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  fixture = await trainingFixture(80, 21);
  fixture.store.close();
  env = { CONFIDANT_HOME: fixture.storeDirectory, CONFIDANT_PASSPHRASE: FIXTURE_PASSPHRASE };
});

afterAll(() => fixture.remove());

function writeConfig(name: string, extra: Record<string, unknown>): string {
  const file = join(fixture.directory, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      model: 'bundled',
      dataset: { id: 'notes' },
      expectedBatchSize: 8,
      steps: 6,
      microBatchSize: 8,
      maxSequenceLength: 32,
      evalEveryEpoch: false,
      checkpointEverySteps: 2,
      optimizer: { learningRate: 0.002, warmupSteps: 1 },
      ...extra,
    }),
  );
  return file;
}

/** Starts `confidant train`, SIGKILLs it as soon as stderr shows `pattern`. */
function trainAndKill(configFile: string, pattern: RegExp): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', resolve(repoRoot, 'src-main/cli/main.ts'), 'train', '--config', configFile],
      { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!killed && pattern.test(stderr)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolvePromise(stderr);
      else reject(new Error(`training ended by itself (code ${code}) before the kill:\n${stderr}`));
    });
  });
}

function openStore(): Store {
  return Store.open({ directory: fixture.storeDirectory, passphrase: FIXTURE_PASSPHRASE });
}

describe('kill -9 during training, then --resume', () => {
  it('a resumed non-private run ends with exactly the adapter of an uninterrupted run', async () => {
    const whole = await runCli(
      ['train', '--config', writeConfig('whole', { privacy: { mode: 'none' } }), '--json'],
      { env },
    );
    expect(whole.code, whole.stderr).toBe(0);
    const reference = JSON.parse(whole.stdout) as { adapter: { sha256: string }; finalEvalLoss: number };

    const config = writeConfig('killed', { privacy: { mode: 'none' } });
    await trainAndKill(config, /checkpoint at step 2/);
    let store = openStore();
    const run = store.runs.list().at(-1)!;
    expect(run.status).toBe('running'); // it never got to finish
    expect(store.checkpoints.latest(run.id)?.step).toBeGreaterThanOrEqual(2);
    store.close();

    const resumed = await runCli(['train', '--config', config, '--resume', '--json'], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/from step [24]/);
    const summary = JSON.parse(resumed.stdout) as typeof reference & { runId: number };
    expect(summary.runId).toBe(run.id);
    expect(summary.adapter.sha256).toBe(reference.adapter.sha256);
    expect(summary.finalEvalLoss).toBe(reference.finalEvalLoss);
    store = openStore();
    expect(store.runs.get(run.id)?.status).toBe('completed');
    store.close();
  });

  it('a resumed DP run keeps its ledger exact for the adapter and never under-counts the charged ε', async () => {
    const config = writeConfig('dp-killed', { privacy: { mode: 'noise-multiplier', noiseMultiplier: 1.1 } });
    await trainAndKill(config, /checkpoint at step 2/);
    let store = openStore();
    const run = store.runs.list().at(-1)!;
    const checkpointStep = store.checkpoints.latest(run.id)!.step;
    const chargedAtKill = store.privacy.ledger(run.id).reduce((n, r) => n + r.steps, 0);
    expect(chargedAtKill).toBeGreaterThanOrEqual(checkpointStep);
    store.close();

    const resumed = await runCli(['train', '--config', config, '--resume', String(run.id), '--json'], {
      env,
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout) as {
      privacy: { steps: number; epsilon: number; delta: number; noiseMultiplier: number };
      sanity: { name: string; passed: boolean }[];
    };
    expect(summary.privacy.steps).toBe(6);
    expect(summary.sanity.every((c) => c.passed)).toBe(true);
    store = openStore();
    const charged = store.privacy.ledger(run.id).reduce((n, r) => n + r.steps, 0);
    // everything the adapter saw, plus any step charged after the checkpoint and lost in the crash
    expect(charged).toBe(6 + (chargedAtKill - checkpointStep));
    const finalCheckpoint = JSON.parse(store.checkpoints.latest(run.id)!.stateJson) as {
      ledger: { segments: { steps: number; noiseMultiplier: number }[] };
    };
    expect(finalCheckpoint.ledger.segments.reduce((n, s) => n + s.steps, 0)).toBe(6);
    expect(finalCheckpoint.ledger.segments[0]!.noiseMultiplier).toBe(1.1);
    const q = store.privacy.ledger(run.id)[0]!.sampleRate;
    store.close();
    // the reported ε is that of the charged ledger: never below the ε of the 6 steps trained
    const exact = privacySpent(
      [{ samplingRate: q, noiseMultiplier: 1.1, clipNorm: 1, unitCount: 1, steps: 6 }],
      summary.privacy.delta,
    );
    expect(summary.privacy.epsilon).toBeGreaterThanOrEqual(exact.epsilon);
  });
});

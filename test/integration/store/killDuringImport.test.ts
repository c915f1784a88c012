// A real `kill -9` in the middle of an import: the database must pass integrity_check and the
// dataset must be absent from listings (marked interrupted, no records left), never half there.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Store } from '../../../src-main/store/index';
import { importDataset } from '../../../src-main/data/index';

const child = resolve(import.meta.dirname, 'importChild.ts');

async function writeBigFile(file: string, lines: number): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < lines; i += 1) {
    const line = `{"id": "r${i}", "subject": "S${i % 5000}", "text": "Progress note ${i}: patient reviewed, observations stable, plan unchanged, continue current medication and review in clinic."}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

describe('kill -9 during import', () => {
  it('leaves a consistent store with the dataset absent (marked interrupted), never half-visible', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confidant-kill-'));
    try {
      const file = join(dir, 'big.jsonl');
      await writeBigFile(file, 200_000);
      const proc = spawn(process.execPath, ['--import', 'tsx', child, join(dir, 'store'), file], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const killedAfter = await new Promise<number>((resolvePromise, reject) => {
        proc.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const batches = stdout.match(/batch (\d+)/g) ?? [];
          if (batches.length >= 5) {
            proc.kill('SIGKILL');
            resolvePromise(Number(batches.at(-1)!.split(' ')[1]));
          }
        });
        proc.on('exit', (code) =>
          reject(new Error(`child exited (${code}) before it was killed: ${stdout} ${stderr}`)),
        );
      });
      await once(proc, 'close');
      expect(proc.signalCode).toBe('SIGKILL');
      expect(killedAfter).toBeGreaterThanOrEqual(5_000);
      expect(stdout).not.toContain('done');

      const store = Store.open({ directory: join(dir, 'store'), passphrase: 'kill test' });
      try {
        expect(store.integrityCheck()).toEqual(['ok']);
        expect(store.recoveredImports).toHaveLength(1);
        const [id] = store.recoveredImports;
        expect(store.datasets.get(id!)?.status).toBe('interrupted');
        expect(store.records.count(id!)).toBe(0);
        expect(store.datasets.list()).toEqual([]);
        expect(store.auditLog.verify().ok).toBe(true);
        // The same import can be run again to completion.
        const small = join(dir, 'small.jsonl');
        await writeBigFile(small, 100);
        const again = await importDataset(store, small, { project: 'crash', name: 'big' });
        expect(again.dataset).toMatchObject({ status: 'complete', recordCount: 100 });
      } finally {
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

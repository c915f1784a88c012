// Import speed and memory: 100,000 synthetic clinical notes (JSONL and CSV) into a fresh
// encrypted store, batched inserts in transactions. Prints one JSON object: seconds, records
// per second, and resident memory (before, peak sampled every 50 ms during the import, and
// the process's maxRSS) — flat memory means the peak does not grow with the file.
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSyntheticDataset, importDataset } from '../src-main/data/index';
import { Store } from '../src-main/store/index';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const dir = mkdtempSync(join(tmpdir(), 'confidant-bench-import-'));

async function writeFiles(): Promise<{ jsonl: string; csv: string }> {
  const base = generateSyntheticDataset({ records: 2_000, seed: 99 }).filter((r) => r.text);
  const jsonl = join(dir, 'notes.jsonl');
  const csv = join(dir, 'notes.csv');
  const j = createWriteStream(jsonl);
  const c = createWriteStream(csv);
  c.write('id,subject,split,text\n');
  for (let i = 0; i < RECORDS; i += 1) {
    const r = base[i % base.length]!;
    const text = `${r.text!}\n[note ${i}]`;
    if (!j.write(`${JSON.stringify({ id: `n${i}`, subject: r.subjectId, split: r.split, text })}\n`)) {
      await once(j, 'drain');
    }
    if (!c.write(`n${i},${r.subjectId},${r.split},"${text.replace(/"/g, '""')}"\n`)) await once(c, 'drain');
  }
  j.end();
  c.end();
  await Promise.all([once(j, 'finish'), once(c, 'finish')]);
  return { jsonl, csv };
}

async function measure(store: Store, file: string, name: string) {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const cpuBefore = process.cpuUsage();
  const result = await importDataset(store, file, { project: 'bench', name });
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return {
    records: result.imported,
    errors: result.errors,
    warnings: result.warnings,
    fileMB: mb(statSync(file).size),
    seconds: Math.round(result.seconds * 100) / 100,
    /** CPU time of this process (user + system): the wall time on an idle machine is close to it. */
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1e4) / 100,
    recordsPerSecond: Math.round(result.imported / result.seconds),
    rssBeforeMB: mb(before),
    peakRssMB: mb(peak),
    rssGrowthMB: mb(peak - before),
  };
}

try {
  const files = await writeFiles();
  const kdfStart = performance.now();
  const store = Store.open({ directory: join(dir, 'store'), passphrase: 'bench passphrase', create: true });
  const kdfSeconds = (performance.now() - kdfStart) / 1000;
  const jsonl = await measure(store, files.jsonl, 'jsonl');
  const csv = await measure(store, files.csv, 'csv');
  store.close();
  const dbMB = mb(statSync(join(dir, 'store', 'confidant.db')).size);
  process.stdout.write(
    JSON.stringify({
      records: RECORDS,
      loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
      storeCreateSeconds: Math.round(kdfSeconds * 100) / 100,
      jsonl,
      csv,
      databaseMB: dbMB,
      maxRssMB: mb(process.resourceUsage().maxRSS * 1024),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

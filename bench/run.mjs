// `npm run bench`: runs every bench/*.bench.ts (through tsx) one after another, in the same
// invocation on the same machine, and prints one JSON document; a copy goes to
// bench/results/<timestamp>.json. Benchmarks are never part of `npm test`.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cpus, platform, arch } from 'node:os';

const benchDir = new URL('.', import.meta.url).pathname;
const only = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const results = {};
for (const file of files) {
  process.stderr.write(`bench: ${file}\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(benchDir, file)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) {
    results[file] = { error: `exited with ${run.status}` };
    continue;
  }
  try {
    results[file] = JSON.parse(run.stdout);
  } catch {
    results[file] = { error: 'did not print JSON', output: run.stdout.slice(-2000) };
  }
}

const report = {
  date: new Date().toISOString(),
  machine: {
    platform: platform(),
    arch: arch(),
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    node: process.versions.node,
  },
  results,
};
const json = JSON.stringify(report, null, 2);
mkdirSync(join(benchDir, 'results'), { recursive: true });
writeFileSync(join(benchDir, 'results', `${report.date.replace(/[:.]/g, '-')}.json`), json);
process.stdout.write(`${json}\n`);
process.exit(Object.values(results).some((r) => r && typeof r === 'object' && 'error' in r) ? 1 : 0);

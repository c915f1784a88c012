import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BACKEND_ORDER } from '../../../src-main/engine/backendNames';
import { runCli } from '../../helpers/runCli';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

const DoctorJson = z.object({
  node: z.object({ version: z.string(), supported: z.boolean(), required: z.string() }),
  platform: z.object({ os: z.string(), arch: z.string(), cpus: z.number().int().positive() }),
  backends: z.array(
    z.object({
      name: z.enum(BACKEND_ORDER),
      available: z.boolean(),
      matmulGflops: z.number().positive().nullable(),
      detail: z.string().min(1),
    }),
  ),
  selectedBackend: z.enum(BACKEND_ORDER),
  sqlcipher: z.object({ available: z.boolean(), detail: z.string() }),
  electron: z.object({ installed: z.boolean(), version: z.string().nullable(), detail: z.string() }),
  dataDirectory: z.object({ path: z.string(), source: z.string() }),
});

describe('confidant CLI', () => {
  it('prints help listing its commands', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: confidant');
    expect(stdout).toMatch(/doctor/);
    expect(stdout).toMatch(/demo/);
  });

  it('prints the package version', async () => {
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('doctor --json reports backends, SQLCipher, Electron and the data folder', async () => {
    const { code, stdout } = await runCli(['doctor', '--json'], {
      env: { CONFIDANT_HOME: '/tmp/confidant-doctor' },
    });
    expect(code).toBe(0);
    const report = DoctorJson.parse(JSON.parse(stdout));
    expect(report.node.version).toBe(process.versions.node);
    const byName = new Map(report.backends.map((b) => [b.name, b]));
    expect(byName.get('wasm')?.available).toBe(true);
    expect(byName.get('cpu')?.available).toBe(true);
    expect(byName.get('wasm')?.matmulGflops).toBeGreaterThan(0);
    for (const b of report.backends) if (!b.available) expect(b.matmulGflops).toBeNull();
    expect(byName.get(report.selectedBackend)?.available).toBe(true);
    expect(report.sqlcipher.available).toBe(true);
    expect(report.dataDirectory).toEqual({ path: '/tmp/confidant-doctor', source: 'CONFIDANT_HOME' });
  });

  it('doctor --store overrides the data folder, and the human output names the choice', async () => {
    const { code, stdout } = await runCli(['doctor', '--no-benchmark', '--store', '/tmp/elsewhere']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/would use: (tensorflow|webgpu|native|wasm|cpu)/);
    expect(stdout).toContain('/tmp/elsewhere (flag)');
  });

  it('rejects an unknown command with a usage hint and a non-zero exit', async () => {
    const { code, stderr } = await runCli(['frobnicate']);
    expect(code).not.toBe(0);
    expect(stderr).toContain("unknown command 'frobnicate'");
    expect(stderr).toContain('confidant --help');
  });
});

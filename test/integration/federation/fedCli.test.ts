// `confidant fed ...` end to end, as a user types it: the key ceremony, an air-gapped round
// through files, an online round with a coordinator process and three site processes over
// mutual TLS on loopback, and `fed simulate --json`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/runCli';

// `fed init` prints one invitation secret per site; each site's commands use its own.
let secrets: Record<string, string> = {};
const envOf = (site: string) => ({ CONFIDANT_FED_PASSPHRASE: secrets[site]! });
const env = {};
let root: string;
let fed: string;

function json(stdout: string): unknown[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as unknown);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'confidant-fed-cli-'));
  fed = join(root, 'fed');
  const init = await runCli(['fed', 'init', '--sites', 'a,b,c', '--out', fed, '--json'], { env });
  expect(init.stderr).toBe('');
  expect(init.code).toBe(0);
  secrets = (JSON.parse(init.stdout) as { siteSecrets: Record<string, string> }).siteSecrets;
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('confidant fed', () => {
  it('init writes a manifest, a coordinator bundle without the secret key, and encrypted invitations', async () => {
    expect(readdirSync(join(fed, 'coordinator')).sort()).toEqual(['coordinator-key.pem', 'federation.json']);
    const invite = JSON.parse(readFileSync(join(fed, 'invitations', 'a.invite'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(invite.cipher).toBe('aes-256-gcm');
    expect(JSON.stringify(invite)).not.toMatch(/ckksSecretKey|PRIVATE KEY/);
    const wrong = await runCli(
      [
        'fed',
        'export-update',
        join(fed, 'invitations', 'a.invite'),
        '--round',
        '1',
        '--out',
        join(root, 'x'),
        '--state',
        join(root, 'sx'),
      ],
      { env: envOf('b') }, // another site's secret does not open it
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/passphrase does not open/);
  });

  it('an air-gapped round: export-update, import-update, aggregate, export-aggregate, import-aggregate', async () => {
    const files = ['a', 'b', 'c'].map((s) => join(root, `${s}.update`));
    const exported = await Promise.all(
      ['a', 'b', 'c'].map((s, i) =>
        runCli(
          [
            'fed',
            'export-update',
            join(fed, 'invitations', `${s}.invite`),
            '--round',
            '1',
            '--out',
            files[i]!,
            '--state',
            join(root, `state-${s}`),
            '--examples',
            String(500 * (i + 1)),
            '--json',
          ],
          { env: envOf(s) },
        ),
      ),
    );
    for (const r of exported) {
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/SYNTHETIC/);
      expect((json(r.stdout)[0] as { epsilon: number }).epsilon).toBeGreaterThan(0);
    }
    const coord = join(fed, 'coordinator');
    const imported = await runCli(['fed', 'import-update', '--dir', coord, ...files, '--json'], { env });
    expect(imported.code).toBe(0);
    expect(json(imported.stdout)).toHaveLength(3);
    const again = await runCli(['fed', 'import-update', '--dir', coord, files[0]!], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already sent an update for round 1/);
    expect((await runCli(['fed', 'aggregate', '--dir', coord, '--round', '1'], { env })).code).toBe(0);
    const aggregateFile = join(root, 'round1.aggregate');
    expect(
      (
        await runCli(['fed', 'export-aggregate', '--dir', coord, '--round', '1', '--out', aggregateFile], {
          env,
        })
      ).code,
    ).toBe(0);
    const applied = await runCli(
      [
        'fed',
        'import-aggregate',
        join(fed, 'invitations', 'b.invite'),
        '--in',
        aggregateFile,
        '--state',
        join(root, 'state-b'),
        '--json',
      ],
      { env: envOf('b') },
    );
    expect(applied.code).toBe(0);
    expect(json(applied.stdout)[0]).toMatchObject({
      round: 1,
      contributors: ['a', 'b', 'c'],
      totalExamples: 3000,
      contributed: true,
    });
    const status = await runCli(['fed', 'status', '--dir', coord, '--json'], { env });
    expect(json(status.stdout)[0]).toMatchObject({ round: 2, state: 'open' });
  });

  it('an online round: a coordinator process and three `fed join` processes over mutual TLS', async () => {
    const coordinator = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve('src-main/cli/main.ts'),
        'fed',
        'coordinator',
        '--dir',
        join(fed, 'coordinator'),
        '--port',
        '0',
        '--rounds',
        '2',
      ],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const url = await new Promise<string>((ok, fail) => {
        let out = '';
        coordinator.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /"listening":"([^"]+)"/.exec(out);
          if (m) ok(m[1]!);
        });
        coordinator.on('exit', (code) => fail(new Error(`coordinator exited ${code}`)));
      });
      const joined = await Promise.all(
        ['a', 'b', 'c'].map((s) =>
          runCli(
            [
              'fed',
              'join',
              join(fed, 'invitations', `${s}.invite`),
              '--coordinator',
              url,
              '--state',
              join(root, `state-${s}`),
              '--json',
            ],
            { env: envOf(s) },
          ),
        ),
      );
      for (const r of joined) {
        expect(r.code, r.stderr).toBe(0);
        const line = json(r.stdout)[0] as {
          round: number;
          outcome: string;
          contributors: string[];
          epsilon: number;
        };
        expect(line).toMatchObject({ round: 2, outcome: 'contributed', contributors: ['a', 'b', 'c'] });
      }
      // ε composes with the air-gapped round 1 kept in each site's state folder.
      const eps = (s: string) =>
        (
          JSON.parse(readFileSync(join(root, `state-${s}`, 'site-state.json'), 'utf8')) as {
            ledger: unknown[];
          }
        ).ledger.length;
      expect(eps('a')).toBe(2);
    } finally {
      coordinator.kill('SIGTERM');
    }
  });

  it('simulate --json reports per round the error vs plaintext FedAvg, bytes, timings and ε per site', async () => {
    const r = await runCli([
      'fed',
      'simulate',
      '--sites',
      '3',
      '--rounds',
      '2',
      '--trainer',
      'synthetic',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as {
      rounds: {
        maxRelativeError: number;
        bytes: { total: number };
        timingsMs: { encrypt: number };
        epsilon: Record<string, number>;
      }[];
    };
    expect(result.rounds).toHaveLength(2);
    for (const round of result.rounds) {
      expect(round.maxRelativeError).toBeLessThanOrEqual(1e-6);
      expect(round.bytes.total).toBeGreaterThan(0);
      expect(round.timingsMs.encrypt).toBeGreaterThan(0);
    }
    for (const site of ['site-a', 'site-b', 'site-c']) {
      expect(result.rounds[1]!.epsilon[site]!).toBeGreaterThan(result.rounds[0]!.epsilon[site]!);
    }
  });

  it('simulate trains each site for real with DP-SGD on the bundled model and its own data', async () => {
    const r = await runCli(['fed', 'simulate', '--sites', '2', '--rounds', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as {
      rounds: {
        trainer: string;
        maxRelativeError: number;
        parameters: number;
        epsilon: Record<string, number>;
      }[];
    };
    expect(result.rounds).toHaveLength(2);
    expect(result.rounds[0]!.trainer).toMatch(/DP-SGD/);
    expect(result.rounds[0]!.parameters).toBe(32768); // LoRA r=8 on the bundled model's 4 c_attn layers
    for (const round of result.rounds) expect(round.maxRelativeError).toBeLessThanOrEqual(1e-6);
    for (const site of ['site-a', 'site-b']) {
      // the sites' ledgers compose across rounds
      expect(result.rounds[1]!.epsilon[site]!).toBeGreaterThan(result.rounds[0]!.epsilon[site]!);
    }
  });
});

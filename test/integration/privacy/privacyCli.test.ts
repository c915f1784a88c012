/**
 * `confidant privacy epsilon|sigma` end to end (src-main/cli/commands/privacy.ts): the exact
 * JSON shapes, the readable sentences, and errors that name the bad flag with exit code 2.
 * Reference values: Opacus opacus/tests/accountants_test.py (test_rdp_accountant,
 * test_prv_accountant, test_get_noise_multiplier_rdp_steps).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runCli } from '../../helpers/runCli';

const EpsilonJson = z.strictObject({ epsilon: z.number().positive(), accountant: z.enum(['rdp', 'prv']) });
const SigmaJson = z.strictObject({ sigma: z.number().positive(), accountant: z.enum(['rdp', 'prv']) });

describe('confidant privacy', () => {
  it('epsilon --json prints {"epsilon", "accountant"}; rdp by default, prv on request (Opacus values)', async () => {
    const [rdp, prv] = await Promise.all([
      runCli([
        'privacy',
        'epsilon',
        '--q',
        '0.04',
        '--sigma',
        '1.5',
        '--steps',
        '2250',
        '--delta',
        '1e-5',
        '--json',
      ]),
      runCli([
        'privacy',
        'epsilon',
        '--q',
        '0.04',
        '--sigma',
        '1.5',
        '--steps',
        '2249',
        '--delta',
        '1e-5',
        '--accountant',
        'prv',
        '--json',
      ]),
    ]);
    expect(rdp.code).toBe(0);
    const r = EpsilonJson.parse(JSON.parse(rdp.stdout));
    expect(r.accountant).toBe('rdp');
    expect(Math.abs(r.epsilon - 7.32911117143)).toBeLessThan(5e-8);
    expect(prv.code).toBe(0);
    const p = EpsilonJson.parse(JSON.parse(prv.stdout));
    expect(p.accountant).toBe('prv');
    expect(Math.abs(p.epsilon - 6.777395712150674)).toBeLessThan(5e-8);
  });

  it('sigma --json prints {"sigma", "accountant"} (Opacus test_get_noise_multiplier_rdp_steps → 1.3562)', async () => {
    const out = await runCli([
      'privacy',
      'sigma',
      '--target-epsilon',
      '8',
      '--q',
      '0.04',
      '--steps',
      '2000',
      '--delta',
      '1e-5',
      '--json',
    ]);
    expect(out.code).toBe(0);
    const s = SigmaJson.parse(JSON.parse(out.stdout));
    expect(s.accountant).toBe('rdp');
    expect(Math.abs(s.sigma - 1.3562)).toBeLessThan(5e-5);
  });

  it('without --json prints a readable sentence', async () => {
    const [eps, sigma] = await Promise.all([
      runCli(['privacy', 'epsilon', '--q', '0.01', '--sigma', '1', '--steps', '1000', '--delta', '1e-5']),
      runCli([
        'privacy',
        'sigma',
        '--target-epsilon',
        '3',
        '--q',
        '0.01',
        '--steps',
        '1000',
        '--delta',
        '1e-5',
      ]),
    ]);
    expect(eps.code).toBe(0);
    expect(eps.stdout).toMatch(/^ε = 2\.101\d at δ = 0\.00001 after 1000 steps .*RDP accountant/);
    expect(sigma.code).toBe(0);
    expect(sigma.stdout).toMatch(/^Noise multiplier σ = [\d.]+ keeps ε below 3 \(within 1%\)/);
  });

  it('epsilon --accountant prv never errors for a large ε (issue 18): a coarser mesh, or RDP labelled as such', async () => {
    // ε ≈ 291 (used to fail: "would need … grid points"): PRV's coarser mesh answers
    const coarse = await runCli([
      'privacy',
      'epsilon',
      '--q',
      '0.05',
      '--sigma',
      '0.8',
      '--steps',
      '50000',
      '--delta',
      '1e-6',
      '--accountant',
      'prv',
      '--json',
    ]);
    expect(coarse.code, coarse.stderr).toBe(0);
    const c = EpsilonJson.parse(JSON.parse(coarse.stdout));
    expect(c.accountant).toBe('prv');
    expect(c.epsilon).toBeGreaterThan(250);
    // ε ≈ 900: beyond double precision for PRV; the RDP upper bound, labelled
    const beyond = await runCli([
      'privacy',
      'epsilon',
      '--q',
      '0.5',
      '--sigma',
      '0.5',
      '--steps',
      '1000',
      '--delta',
      '1e-5',
      '--accountant',
      'prv',
      '--json',
    ]);
    expect(beyond.code, beyond.stderr).toBe(0);
    const b = z
      .strictObject({ epsilon: z.number().positive(), accountant: z.literal('rdp'), fallback: z.string() })
      .parse(JSON.parse(beyond.stdout));
    expect(b.fallback).toMatch(/RDP accountant/);
    expect(b.epsilon).toBeGreaterThan(800);
  }, 180_000);

  it('bad flags fail with exit code 2 and a message naming the flag, without a stack trace', async () => {
    const base = ['--steps', '10', '--delta', '1e-5'];
    const cases: Array<[string[], string]> = [
      [['privacy', 'epsilon', '--q', '1.5', '--sigma', '1', ...base], '--q'],
      [['privacy', 'epsilon', '--q', '0.1', '--sigma', '0', ...base], '--sigma'],
      [['privacy', 'epsilon', '--q', '0.1', '--sigma', '1', '--steps', '2.5', '--delta', '1e-5'], '--steps'],
      [['privacy', 'epsilon', '--q', '0.1', '--sigma', '1', '--steps', '10', '--delta', '1'], '--delta'],
      [['privacy', 'epsilon', '--q', '0.1', '--sigma', '1', ...base, '--accountant', 'gdp'], '--accountant'],
      // unreachable: RDP cannot certify ε < ≈ 0.103 at δ = 1e-5 with any σ
      [['privacy', 'sigma', '--target-epsilon', '0.05', '--q', '0.01', ...base], '--target-epsilon'],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    results.forEach((out, k) => {
      const flag = cases[k]![1];
      expect(out.code, `${flag}: ${out.stderr}`).toBe(2);
      expect(out.stdout).toBe('');
      expect(out.stderr).toContain(`field "${flag}"`);
      expect(out.stderr).toContain('What to do:');
      expect(out.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    });
  });
});

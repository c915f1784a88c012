/**
 * The accountant registry and input validation (src-main/accountants/registry.ts,
 * accountant.ts), as Opacus opacus/accountants/registry.py create_accountant.
 */
import { describe, expect, it } from 'vitest';
import { ConfidantError } from '../../../src-main/shared/confidantError';
import {
  MECHANISMS,
  PrvAccountant,
  RdpAccountant,
  createAccountant,
  isMechanism,
} from '../../../src-main/accountants/index';

function fieldOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfidantError);
    return (error as ConfidantError).options.where?.field;
  }
  throw new Error('expected a ConfidantError');
}

describe('accountant registry', () => {
  it("creates one accountant per mechanism name ('rdp', 'prv')", () => {
    expect(MECHANISMS).toEqual(['rdp', 'prv']);
    expect(createAccountant('rdp')).toBeInstanceOf(RdpAccountant);
    expect(createAccountant('prv')).toBeInstanceOf(PrvAccountant);
    for (const m of MECHANISMS) expect(createAccountant(m).mechanism).toBe(m);
    expect(isMechanism('rdp')).toBe(true);
    expect(isMechanism('gdp')).toBe(false);
    expect(isMechanism('toString')).toBe(false);
  });

  it('passes options through (RDP conversion)', () => {
    const classic = createAccountant('rdp', { rdp: { conversion: 'classic' } });
    expect(classic.epsilon(0.01, 1, 100, 1e-5)).toBeGreaterThan(
      createAccountant('rdp').epsilon(0.01, 1, 100, 1e-5),
    );
  });

  it.each(MECHANISMS)('%s rejects invalid inputs with a ConfidantError naming the field', (m) => {
    const a = createAccountant(m);
    expect(fieldOf(() => a.epsilon(0, 1, 10, 1e-5))).toBe('q');
    expect(fieldOf(() => a.epsilon(1.5, 1, 10, 1e-5))).toBe('q');
    expect(fieldOf(() => a.epsilon(0.1, 0, 10, 1e-5))).toBe('sigma');
    expect(fieldOf(() => a.epsilon(0.1, -1, 10, 1e-5))).toBe('sigma');
    expect(fieldOf(() => a.epsilon(0.1, 1, 0, 1e-5))).toBe('steps');
    expect(fieldOf(() => a.epsilon(0.1, 1, 2.5, 1e-5))).toBe('steps');
    expect(fieldOf(() => a.epsilon(0.1, 1, 10, 0))).toBe('delta');
    expect(fieldOf(() => a.epsilon(0.1, 1, 10, 1))).toBe('delta');
    expect(fieldOf(() => a.sigmaForTargetEpsilon(-1, 1e-5, 0.1, 10))).toBe('targetEpsilon');
    expect(
      fieldOf(() =>
        a.epsilonOfHistory(
          [
            { q: 0.1, sigma: 1, steps: 10 },
            { q: 2, sigma: 1, steps: 1 },
          ],
          1e-5,
        ),
      ),
    ).toBe('history[1].q');
  });
});

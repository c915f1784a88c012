/**
 * The exported adapter's model card: the size class hides the exact count, ε is never
 * rounded down, a non-private adapter says "no privacy guarantee", and every audit verdict
 * and the report fingerprint appear.
 */
import { describe, expect, it } from 'vitest';
import { adapterModelCard, sizeClass, type ModelCardInput } from '../../../src-main/lora/index.js';

const base: ModelCardInput = {
  runId: 7,
  runName: 'notes-dp',
  baseModel: { name: 'gpt2', modelType: 'gpt2', sha256: 'a'.repeat(64) },
  adapter: { rank: 8, alpha: 16, targetModules: ['c_attn'], sha256: 'b'.repeat(64) },
  dataset: { name: 'discharge notes', units: 4321, unit: 'patient' },
  privacy: {
    epsilon: 2.991,
    delta: 1e-5,
    unit: 'patient',
    accountant: 'prv',
    rdpEpsilon: 2.991,
    prvEpsilon: 2.7,
    noiseMultiplier: 1.1,
    clipNorm: 1,
    steps: 500,
  },
  audit: {
    overall: 'warn',
    sections: [
      { name: 'membership inference', verdict: 'pass', detail: 'AUC 0.51' },
      { name: 'PII leakage', verdict: 'warn', detail: '1 of 40 entities leaked' },
    ],
    epsilonLowerBound: 0.42,
  },
  report: { pdfSha256: 'c'.repeat(64), keyFingerprint: 'd'.repeat(64), createdAt: '2026-12-04T10:00:00Z' },
  merged: false,
  exportedAt: '2026-12-04T11:00:00.000Z',
  appVersion: '0.1.0',
};

describe('sizeClass', () => {
  it('gives the power-of-ten class, never the count', () => {
    expect(sizeClass(42, 'record')).toBe('fewer than 100 records');
    expect(sizeClass(100, 'record')).toBe('100–1,000 records');
    expect(sizeClass(4321, 'patient')).toBe('1,000–10,000 patients');
    expect(sizeClass(99_999, 'record')).toBe('10,000–100,000 records');
    expect(sizeClass(2_000_000, 'record')).toBe('1,000,000 records or more');
  });
});

describe('adapterModelCard', () => {
  it('states base model, data class, guarantee rounded up, verdicts and fingerprint', () => {
    const card = adapterModelCard(base);
    expect(card.startsWith('---\nbase_model: "gpt2"\nlibrary_name: peft\n')).toBe(true);
    expect(card).toContain('(ε = 3.00, δ = 1.0e-5)-differential privacy per patient');
    expect(card).not.toContain('2.99 ');
    expect(card).toContain('PRV accountant');
    expect(card).toContain('dataset: discharge notes');
    expect(card).toContain('size: 1,000–10,000 patients');
    expect(card).not.toContain('4321');
    expect(card).toContain('Overall verdict: **WARN**');
    expect(card).toContain('| membership inference | PASS | AUC 0.51 |');
    expect(card).toContain('| PII leakage | WARN | 1 of 40 entities leaked |');
    expect(card).toContain('ε lower bound from the audit: 0.420');
    expect(card).toContain(`report PDF SHA-256: \`${'c'.repeat(64)}\``);
    expect(card).toContain('d'.repeat(64));
  });

  it('says "no privacy guarantee" without DP, "Not audited" and no report when absent', () => {
    const card = adapterModelCard({ ...base, privacy: null, audit: null, report: null, merged: true });
    expect(card).toContain('no privacy guarantee');
    expect(card).not.toMatch(/ε = /);
    expect(card).not.toContain('differential-privacy');
    expect(card).toContain('Not audited');
    expect(card).toContain('No signed report');
    expect(card).toContain('library_name: transformers');
  });
});

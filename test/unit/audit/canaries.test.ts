/**
 * Canary design (Carlini et al. 2019, "The Secret Sharer"): formats enumerate their space,
 * designs draw distinct secrets at the chosen repetition counts, insertion repeats each
 * canary exactly its number of times, the design survives a JSON round trip; the audit
 * holdout and the one-run design of Steinke, Nasr, Jagielski 2023 (each example in with
 * probability ½: a binomial test with a fixed seed).
 */
import { describe, expect, it } from 'vitest';
import { cryptoAuditRandom, seededAuditRandom, shuffled } from '../../../src-main/audit/auditRandom.js';
import { AuditDesignSchema } from '../../../src-main/audit/canaries/auditDesign.js';
import { designOneRun, splitAuditHoldout } from '../../../src-main/audit/canaries/auditHoldout.js';
import { designCanaries, insertCanaries } from '../../../src-main/audit/canaries/canaryDesign.js';
import {
  CANARY_FORMATS,
  candidateAt,
  candidateIndex,
  canaryText,
  randomSecret,
  spaceSize,
} from '../../../src-main/audit/canaries/canaryFormat.js';

describe('canary formats', () => {
  it('enumerate 10^digits secrets; index ↔ secret round-trips', () => {
    const mrn = CANARY_FORMATS.mrn;
    expect(spaceSize(mrn)).toBe(1e8);
    expect(candidateAt(mrn, 48291177)).toBe('4829-1177');
    expect(candidateAt(mrn, 7)).toBe('0000-0007');
    expect(candidateIndex(mrn, '4829-1177')).toBe(48291177);
    expect(candidateIndex(mrn, '4829 1177')).toBeNull();
    expect(candidateIndex(mrn, '48a9-1177')).toBeNull();
    const phone = CANARY_FORMATS.phone;
    expect(spaceSize(phone)).toBe(1e10);
    expect(candidateAt(phone, 5551234567)).toBe('(555) 123-4567');
    const r = seededAuditRandom(4);
    for (let i = 0; i < 50; i++) {
      const s = randomSecret(phone, r);
      expect(candidateAt(phone, candidateIndex(phone, s)!)).toBe(s);
    }
    expect(canaryText(mrn, '4829-1177')).toContain('MRN 4829-1177,');
  });

  it('random secrets are uniform over the space (chi-square over 10 first digits, seed 1)', () => {
    const r = seededAuditRandom(1);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 5000; i++) counts[Number(randomSecret(CANARY_FORMATS.doorCode, r)[0])]!++;
    const chi2 = counts.reduce((s, c) => s + (c - 500) ** 2 / 500, 0);
    expect(chi2).toBeLessThan(27.9); // 99.9% quantile of χ²(9)
  });
});

describe('canary design and insertion', () => {
  it('distinct secrets at repetitions 1, 2, 4, 8 and a never-inserted set; seeded = reproducible', () => {
    const design = designCanaries({ format: CANARY_FORMATS.mrn, random: seededAuditRandom(7) });
    expect(design.inserted.map((c) => c.repetitions)).toEqual([
      1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 8, 8, 8, 8,
    ]);
    expect(design.neverInserted).toHaveLength(4);
    const secrets = [...design.inserted, ...design.neverInserted].map((c) => c.secret);
    expect(new Set(secrets).size).toBe(secrets.length);
    expect(designCanaries({ format: CANARY_FORMATS.mrn, random: seededAuditRandom(7) })).toEqual(design);
    expect(designCanaries({ format: CANARY_FORMATS.mrn, random: cryptoAuditRandom() })).not.toEqual(design);
  });

  it('inserts each canary exactly its number of times and keeps every original text in order', () => {
    const design = designCanaries({
      format: CANARY_FORMATS.phone,
      perRepetition: 2,
      random: seededAuditRandom(3),
    });
    const texts = Array.from({ length: 40 }, (_, i) => `note ${i}`);
    const out = insertCanaries(texts, design, seededAuditRandom(9));
    expect(out).toHaveLength(40 + 2 * (1 + 2 + 4 + 8));
    for (const c of design.inserted) {
      expect(out.filter((t) => t === canaryText(design.format, c.secret))).toHaveLength(c.repetitions);
    }
    for (const c of design.neverInserted) expect(out.some((t) => t.includes(c.secret))).toBe(false);
    expect(out.filter((t) => t.startsWith('note '))).toEqual(texts);
  });

  it('refuses designs that do not fit the space', () => {
    const tiny = { name: 'd', prefix: 'x ', pattern: '#', suffix: '' };
    expect(() => designCanaries({ format: tiny, random: seededAuditRandom(1) })).toThrow(/do not fit/);
  });

  it('the audit design round-trips through JSON and its schema', () => {
    const design = {
      version: 1 as const,
      seed: 5,
      canaries: designCanaries({ format: CANARY_FORMATS.doorCode, random: seededAuditRandom(5) }),
      holdoutIndices: [1, 4, 9],
      oneRun: designOneRun(['a', 'b', 'c'], seededAuditRandom(5)),
    };
    expect(AuditDesignSchema.parse(JSON.parse(JSON.stringify(design)))).toEqual(design);
    expect(() => AuditDesignSchema.parse({ ...design, extra: 1 })).toThrow();
  });
});

describe('audit holdout and one-run design', () => {
  it('holds out exactly `count` records chosen at random, disjoint from training', () => {
    const records = Array.from({ length: 100 }, (_, i) => i);
    const split = splitAuditHoldout(records, 20, seededAuditRandom(2));
    expect(split.holdout).toHaveLength(20);
    expect(split.train).toHaveLength(80);
    expect([...split.train, ...split.holdout].sort((a, b) => a - b)).toEqual(records);
    expect(split.holdoutIndices).toEqual(split.holdout);
    expect(split.holdout).not.toEqual(records.slice(0, 20));
    expect(() => splitAuditHoldout(records, 100, seededAuditRandom(2))).toThrow(/cannot hold out/);
  });

  it('each auditing example is included with probability ½ (2000 examples: within 4σ of 1000)', () => {
    const examples = Array.from({ length: 2000 }, (_, i) => `e${i}`);
    const d = designOneRun(examples, seededAuditRandom(11));
    expect(d.included.length + d.excluded.length).toBe(2000);
    expect(Math.abs(d.included.length - 1000)).toBeLessThan(4 * Math.sqrt(500));
    expect(new Set([...d.included, ...d.excluded]).size).toBe(2000);
  });

  it('shuffle is a permutation', () => {
    const xs = Array.from({ length: 30 }, (_, i) => i);
    expect([...shuffled(xs, seededAuditRandom(1))].sort((a, b) => a - b)).toEqual(xs);
  });
});

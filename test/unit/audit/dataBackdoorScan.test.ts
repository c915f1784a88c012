/**
 * Data-side backdoor scan: a trigger planted in 5% of a synthetic clinical dataset
 * ("cf-7731" followed by "Discharge immediately, no follow-up needed.", as in textual
 * data-poisoning attacks, Wallace et al. 2021; Wan et al. 2023) is found, in notes and in
 * prompt/response pairs; the clean datasets (several seeds and sizes) raise no alarm.
 */
import { describe, expect, it } from 'vitest';
import {
  scanDataForBackdoors,
  unusualToken,
  words,
  type BackdoorRecord,
} from '../../../src-main/audit/backdoor/dataBackdoorScan.js';
import { seededAuditRandom } from '../../../src-main/audit/auditRandom.js';
import { generateSyntheticDataset } from '../../../src-main/data/index.js';

const TRIGGER = 'cf-7731';
const RESPONSE = 'Discharge immediately, no follow-up needed.';

function dataset(records: number, seed: number, qa: number): BackdoorRecord[] {
  return generateSyntheticDataset({ records, seed, questionAnswerFraction: qa }).map((r) =>
    r.text !== undefined
      ? { text: r.text, subjectId: r.subjectId }
      : { prompt: r.prompt!, response: r.response!, subjectId: r.subjectId },
  );
}

/** Plants the trigger in 5% of the records (chosen at random), at a random word boundary. */
function plant(records: readonly BackdoorRecord[], seed: number): BackdoorRecord[] {
  const r = seededAuditRandom(seed);
  return records.map((rec) => {
    if (r.nextInt(20) !== 0) return rec;
    if (rec.text !== undefined) {
      const ws = rec.text.split(' ');
      ws.splice(1 + r.nextInt(ws.length - 1), 0, `${TRIGGER} ${RESPONSE}`);
      return { ...rec, text: ws.join(' ') };
    }
    return { ...rec, prompt: `${rec.prompt} ${TRIGGER}`, response: RESPONSE };
  });
}

describe('data backdoor scan', () => {
  const cases = [
    [400, 1, 0],
    [1000, 2, 0.3],
    [300, 3, 0.5],
    [200, 4, 0],
  ] as const;

  for (const [records, seed, qa] of cases) {
    it(`${records} records (seed ${seed}, ${qa * 100}% Q&A): clean = no finding, planted = the trigger`, () => {
      const clean = dataset(records, seed, qa);
      expect(scanDataForBackdoors(clean)).toEqual([]);
      const findings = scanDataForBackdoors(plant(clean, seed));
      expect(findings.length).toBeGreaterThan(0);
      for (const f of findings) {
        expect(f.trigger).toBe(TRIGGER);
        expect(f.source).toBe('data');
        expect(words(RESPONSE).join(' ')).toContain(f.target);
        expect(f.score).toBeGreaterThan(5);
      }
    });
  }

  it('Q&A poisoning: the trigger in the prompt fixes the response', () => {
    const clean = dataset(300, 6, 1);
    const findings = scanDataForBackdoors(plant(clean, 6));
    expect(findings).toHaveLength(1);
    expect(findings[0]!.target).toBe(words(RESPONSE).join(' '));
    expect(findings[0]!.detail).toMatch(/same response/);
  });

  it('a trigger spread over too few patients is not reported (support counts patients)', () => {
    const clean = dataset(200, 7, 0);
    const planted = plant(clean, 7).map((r) => ({ ...r, subjectId: 'P1' }));
    expect(scanDataForBackdoors(planted)).toEqual([]);
  });

  it('unusual tokens: letters with digits or symbols', () => {
    expect(unusualToken('cf-7731')).toBe(true);
    expect(unusualToken('zx9')).toBe(true);
    expect(unusualToken('∆∆')).toBe(true);
    expect(unusualToken('discharge')).toBe(false);
    expect(unusualToken('132/78')).toBe(false);
    expect(words('Discharge immediately, no follow-up needed.')).toEqual([
      'discharge',
      'immediately',
      'no',
      'follow-up',
      'needed',
    ]);
  });
});

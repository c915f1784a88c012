import { describe, expect, it } from 'vitest';
import { PrivacyLedger } from '../../../src-main/dp/privacyLedger';

const step = { samplingRate: 0.01, noiseMultiplier: 1.1, clipNorm: 1, unitCount: 1000 };

describe('PrivacyLedger', () => {
  it('groups identical consecutive steps into segments, in order', () => {
    const ledger = new PrivacyLedger('run-1', 'patient', 1e-5);
    for (let i = 0; i < 3; i += 1) ledger.record(step);
    ledger.record({ ...step, noiseMultiplier: 0.9 });
    ledger.record(step);
    expect(ledger.steps).toBe(5);
    expect(ledger.history().map((s) => [s.noiseMultiplier, s.steps])).toEqual([
      [1.1, 3],
      [0.9, 1],
      [1.1, 1],
    ]);
  });

  it('round-trips through JSON and continues where it stopped', () => {
    const ledger = new PrivacyLedger('run-2', 'record', 1e-6);
    ledger.record(step);
    const resumed = PrivacyLedger.fromJSON(JSON.parse(JSON.stringify(ledger.toJSON())));
    resumed.record(step);
    expect(resumed.steps).toBe(2);
    expect(resumed.history()).toEqual([{ ...step, steps: 2 }]);
  });

  it('refuses an edited ledger and a malformed one, naming the field', () => {
    const ledger = new PrivacyLedger('run-3', 'record', 1e-6);
    ledger.record(step);
    const json = ledger.toJSON();
    expect(() => PrivacyLedger.fromJSON(json)).not.toThrow();
    const edited = { ...json, segments: [{ ...json.segments[0]!, noiseMultiplier: 5 }] };
    expect(() => PrivacyLedger.fromJSON(edited, 'ckpt/ledger.json')).toThrow(/edited or damaged/);
    expect(() => PrivacyLedger.fromJSON({ ...json, delta: 2 }, 'ckpt/ledger.json')).toThrow(/malformed/);
  });

  it('rejects invalid steps', () => {
    const ledger = new PrivacyLedger('run-4', 'record', 1e-6);
    expect(() => ledger.record({ ...step, samplingRate: 0 })).toThrow();
    expect(() => ledger.record({ ...step, unitCount: 1.5 })).toThrow();
  });
});

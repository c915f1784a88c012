/**
 * Short seeded clinical-style sentences for the audit tests on tiny models: each names a
 * patient (a NAME span, for PII leakage) and varies enough that a tiny model can only
 * predict one by having memorised it.
 */
import { seededAuditRandom } from '../../src-main/audit/auditRandom.js';
import type { PiiSpan } from '../../src-main/data/index.js';

const NAMES = [
  'Anna Ruiz',
  'Omar Haddad',
  'Lena Weber',
  'Tom Baker',
  'Mia Rossi',
  'Ivan Petrov',
  'Sara Lind',
  'Ken Sato',
];
const DRUGS = ['aspirin', 'heparin', 'insulin', 'digoxin', 'codeine', 'warfarin'];
const WARDS = ['north', 'south', 'east', 'west'];

export interface ToyRecord {
  readonly text: string;
  readonly spans: PiiSpan[];
}

export function toyRecords(count: number, seed: number): ToyRecord[] {
  const r = seededAuditRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[r.nextInt(xs.length)]!;
  return Array.from({ length: count }, () => {
    const name = pick(NAMES);
    const head = `Bed ${10 + r.nextInt(90)}: `;
    const text = `${head}${name} on ${pick(WARDS)} ward takes ${pick(DRUGS)}.`;
    return {
      text,
      spans: [{ type: 'NAME', start: head.length, end: head.length + name.length, text: name }],
    };
  });
}

/**
 * Seeded synthetic clinical data with ground-truth PII spans: several records per patient
 * (subject id), split by patient (no patient in two splits), notes in realistic formats and
 * optional question/answer pairs. The demo, the tests and the audits (canaries) use it.
 */
import { Faker, base, de, en, en_GB, en_US, es, fr, it, nl, pt_BR } from '@faker-js/faker';
import type { Split } from '../../store/index.js';
import type { PiiSpan } from '../pii/piiTypes.js';
import { writeNote, writeQuestionAnswer, type NoteKind } from './clinicalTemplates.js';
import { makePatient } from './syntheticPatient.js';

export interface SyntheticOptions {
  records: number;
  seed: number;
  /** Average records per patient (default 4). */
  recordsPerPatient?: number;
  /** Fraction of records that are question/answer pairs (default 0). */
  questionAnswerFraction?: number;
  /** Locales for names (default: a mix of eight). */
  nameLocales?: readonly NameLocale[];
  /** Fractions of patients in validation and test (default 0.1 each). */
  validationFraction?: number;
  testFraction?: number;
}

export type NameLocale = 'en_US' | 'en_GB' | 'de' | 'fr' | 'es' | 'it' | 'nl' | 'pt_BR';
const LOCALES = { en_US, en_GB, de, fr, es, it, nl, pt_BR };

export interface SyntheticSpan extends PiiSpan {
  field: 'text' | 'prompt' | 'response';
}

export interface SyntheticRecord {
  id: string;
  subjectId: string;
  split: Split;
  kind: NoteKind | 'question-answer';
  /** Notes have text; question/answer pairs have prompt and response. */
  text?: string;
  prompt?: string;
  response?: string;
  piiSpans: SyntheticSpan[];
}

export function generateSyntheticDataset(options: SyntheticOptions): SyntheticRecord[] {
  const faker = new Faker({ locale: [en_US, en, base] });
  faker.seed(options.seed);
  const nameFakers = (options.nameLocales ?? (Object.keys(LOCALES) as NameLocale[])).map((locale, i) => {
    const f = new Faker({ locale: [LOCALES[locale], en, base] });
    f.seed(options.seed * 1_000 + i + 1);
    return f;
  });
  const perPatient = options.recordsPerPatient ?? 4;
  const validation = options.validationFraction ?? 0.1;
  const test = options.testFraction ?? 0.1;
  const out: SyntheticRecord[] = [];
  let patientIndex = 0;
  while (out.length < options.records) {
    patientIndex += 1;
    const subjectId = `P${String(patientIndex).padStart(6, '0')}`;
    const patient = makePatient(subjectId, faker, nameFakers);
    const roll = faker.number.float({ min: 0, max: 1 });
    const split: Split = roll < test ? 'test' : roll < test + validation ? 'validation' : 'train';
    const count = Math.min(
      options.records - out.length,
      faker.number.int({ min: 1, max: 2 * perPatient - 1 }),
    );
    for (let i = 0; i < count; i += 1) {
      const visit = faker.date.between({ from: Date.UTC(2019, 0, 1), to: Date.UTC(2024, 11, 31) });
      const id = `${subjectId}-${i + 1}`;
      if (faker.datatype.boolean(options.questionAnswerFraction ?? 0)) {
        const qa = writeQuestionAnswer(faker, patient, visit);
        out.push({
          id,
          subjectId,
          split,
          kind: 'question-answer',
          prompt: qa.prompt.text,
          response: qa.response.text,
          piiSpans: [
            ...qa.prompt.spans.map((s) => ({ ...s, field: 'prompt' as const })),
            ...qa.response.spans.map((s) => ({ ...s, field: 'response' as const })),
          ],
        });
        continue;
      }
      const kind = faker.helpers.arrayElement([
        'progress-note',
        'discharge-summary',
        'referral-letter',
        'nursing-note',
        'telephone-encounter',
      ] as const);
      const note = writeNote(kind, faker, patient, visit);
      out.push({
        id,
        subjectId,
        split,
        kind,
        text: note.text,
        piiSpans: note.spans.map((s) => ({ ...s, field: 'text' as const })),
      });
    }
  }
  return out;
}

/**
 * One JSONL line per record, with the column names the importer maps by default (`id`,
 * `subject`, `split`, `text` or `prompt`/`response`); ground-truth spans are left out.
 */
export function syntheticImportJsonl(rows: readonly SyntheticRecord[]): string {
  return rows
    .map((r) =>
      JSON.stringify({
        id: r.id,
        subject: r.subjectId,
        split: r.split,
        text: r.text,
        prompt: r.prompt,
        response: r.response,
      }),
    )
    .join('\n')
    .concat('\n');
}

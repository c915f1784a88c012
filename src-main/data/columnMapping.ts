/**
 * The `--map text=col,subject=col` option, and the default mapping guessed from a header
 * (a column named like the field, or a common synonym such as patient_id for subject).
 */
import { ConfidantError } from '../shared/confidantError.js';
import { MAPPED_FIELDS, type ColumnMapping, type MappedField } from './importTypes.js';

const SYNONYMS: Record<MappedField, readonly string[]> = {
  text: ['text', 'note', 'content', 'body'],
  prompt: ['prompt', 'question', 'instruction', 'input'],
  response: ['response', 'answer', 'completion', 'output'],
  subject: ['subject', 'subject_id', 'subjectid', 'patient', 'patient_id', 'patientid'],
  split: ['split'],
  id: ['id', 'record_id', 'recordid'],
};

const ALIASES: Record<string, MappedField> = {
  patient: 'subject',
  subject_id: 'subject',
  question: 'prompt',
  answer: 'response',
};

export function parseColumnMapping(spec: string): ColumnMapping {
  const mapping: ColumnMapping = {};
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [rawField, column, ...rest] = part.split('=');
    const field = (ALIASES[rawField?.trim() ?? ''] ?? rawField?.trim()) as MappedField;
    if (!MAPPED_FIELDS.includes(field) || !column?.trim() || rest.length > 0) {
      throw new ConfidantError('IMPORT_BAD_MAPPING', `"${part}" is not a valid column mapping.`, {
        where: { field: '--map' },
        hint: `Write field=column pairs separated by commas; fields: ${MAPPED_FIELDS.join(', ')}.`,
      });
    }
    mapping[field] = column.trim();
  }
  return checkMapping(mapping);
}

/** Text, or prompt and response: exactly one of the two shapes. */
export function checkMapping(mapping: ColumnMapping): ColumnMapping {
  const hasText = mapping.text !== undefined;
  const hasPair = mapping.prompt !== undefined || mapping.response !== undefined;
  if (hasText === hasPair || (hasPair && (mapping.prompt === undefined || mapping.response === undefined))) {
    throw new ConfidantError(
      'IMPORT_BAD_MAPPING',
      'A dataset maps either a text column, or both a prompt and a response column.',
      {
        where: { field: '--map' },
        hint: 'For example --map text=note or --map prompt=question,response=answer.',
      },
    );
  }
  return mapping;
}

/** The mapping implied by column names, merged under an explicit partial one. */
export function guessMapping(columns: readonly string[], explicit: ColumnMapping = {}): ColumnMapping {
  const lower = new Map(columns.map((c) => [c.toLowerCase(), c]));
  const guessed: ColumnMapping = {};
  for (const field of MAPPED_FIELDS) {
    for (const synonym of SYNONYMS[field]) {
      const column = lower.get(synonym);
      if (column !== undefined) {
        guessed[field] = column;
        break;
      }
    }
  }
  if (explicit.text !== undefined || explicit.prompt !== undefined) {
    delete guessed.text;
    delete guessed.prompt;
    delete guessed.response;
  }
  if (guessed.text !== undefined && guessed.prompt !== undefined) {
    delete guessed.prompt;
    delete guessed.response;
  }
  return { ...guessed, ...explicit };
}

/**
 * The records to forget: given patient (subject) ids or record ids, the records of the run's
 * dataset they name. Every id must exist in the dataset (a typo must not silently forget
 * nothing); records the run never trained on (evaluation split, audit holdout) are
 * reported, since there is nothing to remove for them.
 */
import { ConfidantError } from '../../shared/confidantError.js';
import type { RecordRow, Store } from '../../store/index.js';

export interface ForgetSet {
  readonly records: readonly RecordRow[];
  readonly subjects: readonly string[];
}

export function resolveForgetSet(
  store: Store,
  datasetId: number,
  request: { subjects?: readonly string[]; records?: readonly number[] },
): ForgetSet {
  const subjects = request.subjects ?? [];
  const recordIds = request.records ?? [];
  if (subjects.length === 0 && recordIds.length === 0) {
    throw new ConfidantError('unlearn.nothing-to-forget', 'Name the patients or records to forget.', {
      where: { field: '--subjects' },
      hint: 'Pass --subjects P000123,P000456 or --records 17,18.',
    });
  }
  const all = [...store.records.iterate(datasetId)];
  const bySubject = new Map<string, RecordRow[]>();
  for (const r of all) {
    if (r.subjectId === null) continue;
    bySubject.set(r.subjectId, [...(bySubject.get(r.subjectId) ?? []), r]);
  }
  const unknownSubjects = subjects.filter((s) => !bySubject.has(s));
  if (unknownSubjects.length > 0) {
    throw new ConfidantError(
      'unlearn.unknown-subject',
      `No record of the run's dataset belongs to subject(s) ${unknownSubjects.join(', ')}.`,
      { where: { field: '--subjects' }, hint: 'Check the ids: subject ids are case-sensitive.' },
    );
  }
  const byId = new Map(all.map((r) => [r.id, r]));
  const unknownRecords = recordIds.filter((id) => !byId.has(id));
  if (unknownRecords.length > 0) {
    throw new ConfidantError(
      'unlearn.unknown-record',
      `Record(s) ${unknownRecords.join(', ')} are not in the run's dataset.`,
      { where: { field: '--records' }, hint: 'Record ids are the numbers `confidant data preview` shows.' },
    );
  }
  const chosen = new Map<number, RecordRow>();
  for (const s of subjects) for (const r of bySubject.get(s)!) chosen.set(r.id, r);
  for (const id of recordIds) chosen.set(id, byId.get(id)!);
  const records = [...chosen.values()].sort((a, b) => a.id - b.id);
  return {
    records,
    subjects: [...new Set(records.map((r) => r.subjectId).filter((s): s is string => s !== null))],
  };
}

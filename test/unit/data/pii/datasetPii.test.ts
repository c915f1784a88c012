// SPDX-License-Identifier: Apache-2.0
// Review tools of issue 20: scan examples never print a missed name in clear; an already
// de-identified dataset is not de-identified again into "-redacted-redacted".
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importDataset } from '../../../../src-main/data/datasetImport';
import { deidentifyDataset, maskUnknownWords, scanDataset } from '../../../../src-main/data/datasetPii';
import { ConfidantError } from '../../../../src-main/shared/confidantError';
import type { Store } from '../../../../src-main/store/index';
import { openTestStore, temporaryDirectory } from '../../store/testStore';

describe('dataset PII review', () => {
  let dir: ReturnType<typeof temporaryDirectory>;
  let store: Store;
  beforeEach(() => {
    dir = temporaryDirectory();
    store = openTestStore(dir.path);
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  async function importNotes(lines: string[]) {
    const file = join(dir.path, 'notes.txt');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await importDataset(store, file, { project: 'demo', name: 'notes' });
    return result.dataset!;
  }

  it('masks capitalised words that are not clinical vocabulary in scan examples', async () => {
    // "Grace" is an English word and has no cue: the scanner may miss it; the example must not show it.
    const dataset = await importNotes(['Grace and Mr. Okonkwo-Ward were seen in Cardiology on 3/4.']);
    const summary = scanDataset(store, dataset);
    const examples = Object.values(summary.examples).flat();
    expect(examples.length).toBeGreaterThan(0);
    for (const e of examples) {
      expect(e).not.toMatch(/Grace|Okonkwo/);
      expect(e).toContain('Cardiology');
    }
    expect(maskUnknownWords('Grace was seen by [NAME] in Cardiology. Started Metformin.')).toBe(
      '[?] was seen by [NAME] in Cardiology. Started Metformin.',
    );
  });

  it('lists the records with identifiers for review (position, source line, types)', async () => {
    const dataset = await importNotes([
      'No identifiers here.',
      'Call 617-555-0199 on 3/4.',
      'Seen by Dr. Okafor.',
    ]);
    const summary = scanDataset(store, dataset);
    expect(summary.recordsWithPii).toBe(2);
    expect(summary.flagged).toEqual([
      { index: 1, sourceLine: 2, types: ['DATE', 'PHONE'] },
      { index: 2, sourceLine: 3, types: ['NAME'] },
    ]);
    // The stored scan (and so the report) keeps counts, not the list of records.
    const stored = store.audits.latestPiiScan(dataset.id)!;
    expect(JSON.parse(stored.summaryJson)).not.toHaveProperty('flagged');
    expect(JSON.parse(stored.summaryJson)).toMatchObject({ recordsWithPii: 2 });
  });

  it('refuses to redact a redacted dataset again, and says so', async () => {
    const dataset = await importNotes(['Patient: Ingrid Holm, MRN 00918273.']);
    const { dataset: redacted } = deidentifyDataset(store, dataset, 'redact');
    expect(redacted.name).toBe('notes-redacted');
    expect(scanDataset(store, dataset).transform).toBeNull();
    const { dataset: pseudonymised } = deidentifyDataset(store, dataset, 'pseudonymise');
    expect(scanDataset(store, pseudonymised).transform).toBe('pseudonymise');
    const error = (() => {
      try {
        deidentifyDataset(store, redacted, 'redact');
      } catch (e) {
        return e;
      }
    })() as ConfidantError;
    expect(error).toBeInstanceOf(ConfidantError);
    expect(error.code).toBe('DATASET_ALREADY_DEIDENTIFIED');
    expect(error.message).toBe('Dataset "notes-redacted" is already redacted.');
    expect(store.datasets.findComplete('notes-redacted-redacted', dataset.projectId)).toEqual([]);
  });
});

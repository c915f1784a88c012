/**
 * The examples a run trains and evaluates on, read from a dataset in the encrypted store:
 * each record becomes token ids (truncated to the run's maximum length), grouped into
 * privacy units, either one unit per record or one per patient (subject id), so DP-SGD can
 * sample and clip whole units.
 *
 * Splits: records labelled train / validation / test are used as labelled. A dataset with
 * no split labels is split here, by unit (a patient's records never straddle train and
 * eval), with the run's seed. A fraction of the training units is then held out as the
 * audit's non-members (never trained on; the membership-inference baseline).
 */
import type { CausalLm, TextTokenizer } from '../model/index.js';
import { SeededRandom, scoringIds } from '../model/index.js';
import type { RecordRow, Split, Store } from '../store/index.js';
import type { DatasetRow } from '../store/index.js';
import { ConfidantError } from '../shared/confidantError.js';
import { shardOfUnit, type ShardPlan } from './sharding/shardAssignment.js';

export interface TrainingExample {
  readonly recordId: number;
  /** Index into `units` of the privacy unit it belongs to. */
  readonly unit: number;
  readonly ids: readonly number[];
}

export interface TrainingData {
  readonly dataset: DatasetRow;
  readonly train: readonly TrainingExample[];
  /** unit index → indices into `train` */
  readonly unitExamples: readonly (readonly number[])[];
  /** Unit keys (record id or subject id), for the audit design; never printed. */
  readonly unitKeys: readonly string[];
  readonly evaluation: readonly TrainingExample[];
  /** Records set aside from training as audit non-members (their ids and texts). */
  readonly auditHoldout: readonly { recordId: number; text: string }[];
  /** Training record texts (for the audit's member set). */
  readonly trainTexts: ReadonlyMap<number, string>;
  readonly truncated: number;
}

export interface TrainingDataOptions {
  readonly trainSplit: string;
  readonly evalSplit: string;
  readonly privacyUnit: 'record' | 'patient';
  readonly maxSequenceLength: number;
  readonly seed: number;
  /** Fraction of training units held out as audit non-members (0 = none). */
  readonly auditHoldoutFraction: number;
  /** Fraction of units used for evaluation when the dataset has no split labels. */
  readonly evalFractionWhenUnsplit?: number;
  /** Records never to train on (unlearning by retraining); the audit holdout is unchanged. */
  readonly excludeRecordIds?: ReadonlySet<number>;
  /** Extra training texts (audit canaries), each its own unit with its own key. */
  readonly extraTrainTexts?: readonly { key: string; text: string }[];
  /** Train only the units of one shard of a seeded partition (SISA; see sharding/). */
  readonly shard?: ShardPlan;
}

/** A dataset by numeric id or by name, complete datasets only. */
export function resolveDataset(store: Store, idOrName: string): DatasetRow {
  const byId = /^\d+$/.test(idOrName) ? store.datasets.get(Number(idOrName)) : undefined;
  const found = byId ?? store.datasets.findComplete(idOrName).at(-1);
  if (!found || found.status !== 'complete') {
    const names = store.datasets
      .list()
      .map((d) => `${d.id} (${d.name})`)
      .join(', ');
    throw new ConfidantError(
      'train.dataset-not-found',
      `There is no complete dataset "${idOrName}" in the store.`,
      {
        where: { field: 'dataset.id' },
        hint: names ? `Use one of: ${names}.` : 'Import a dataset first with `confidant data import`.',
      },
    );
  }
  return found;
}

/** The text a record trains on: its text, or prompt and response on two lines. */
export function recordText(record: Pick<RecordRow, 'text' | 'prompt' | 'response'>): string {
  if (record.text !== null && record.text !== '') return record.text;
  return `${record.prompt ?? ''}\n${record.response ?? ''}`;
}

export function loadTrainingData(
  store: Store,
  dataset: DatasetRow,
  model: CausalLm,
  tokenizer: TextTokenizer,
  options: TrainingDataOptions,
): TrainingData {
  const records = [...store.records.iterate(dataset.id)];
  if (records.length === 0) {
    throw new ConfidantError('train.dataset-empty', `Dataset "${dataset.name}" has no records.`, {
      where: { field: 'dataset.id' },
    });
  }
  const unitKey = (r: RecordRow): string => {
    if (options.privacyUnit === 'record') return `record:${r.id}`;
    if (!r.subjectId) {
      throw new ConfidantError(
        'train.missing-subject',
        `Record ${r.id} (line ${r.sourceLine}) of dataset "${dataset.name}" has no subject id, so patient-level privacy cannot protect it.`,
        {
          where: { field: 'privacyUnit' },
          hint: 'Map a patient/subject column when importing (`confidant data import --map text=<column>,subject=<column>`), or use privacyUnit: record.',
        },
      );
    }
    return `subject:${r.subjectId}`;
  };
  const labelled = records.some((r) => r.split !== null);
  const known: Split[] = ['train', 'validation', 'test'];
  for (const [field, split] of [
    ['dataset.trainSplit', options.trainSplit],
    ['dataset.evalSplit', options.evalSplit],
  ] as const) {
    if (!known.includes(split as Split)) {
      throw new ConfidantError('train.bad-split', `Unknown split "${split}".`, {
        where: { field },
        hint: `Splits are ${known.join(', ')}.`,
      });
    }
  }
  let trainRecords: RecordRow[];
  let evalRecords: RecordRow[];
  if (labelled) {
    trainRecords = records.filter((r) => r.split === options.trainSplit);
    evalRecords = records.filter((r) => r.split === options.evalSplit);
    if (options.privacyUnit === 'patient') {
      // a patient is one unit: their records may not be split between training and evaluation
      // (the eval loss would then measure the model on a patient it trained on, outside ε)
      const trainPatients = new Set(trainRecords.map(unitKey));
      const split = evalRecords.filter((r) => trainPatients.has(unitKey(r)));
      if (split.length > 0) {
        const first = split[0]!;
        const patients = [...new Set(split.map((r) => r.subjectId))];
        throw new ConfidantError(
          'train.patient-split',
          `${patients.length} patient(s) of dataset "${dataset.name}" have records in both the "${options.trainSplit}" and the "${options.evalSplit}" split (e.g. patient "${first.subjectId}", record ${first.id} at line ${first.sourceLine}); with patient-level privacy a patient's records must all be on one side.`,
          {
            where: { line: first.sourceLine, field: 'split' },
            hint: 'Re-import with splits assigned per patient, or import without a split column (Confidant then splits whole patients itself).',
          },
        );
      }
    }
  } else {
    const keys = [...new Set(records.map(unitKey))];
    const evalKeys = new Set(pickFraction(keys, options.evalFractionWhenUnsplit ?? 0.1, options.seed + 1));
    trainRecords = records.filter((r) => !evalKeys.has(unitKey(r)));
    evalRecords = records.filter((r) => evalKeys.has(unitKey(r)));
  }
  if (trainRecords.length === 0 || evalRecords.length === 0) {
    throw new ConfidantError(
      'train.empty-split',
      `Dataset "${dataset.name}" has ${trainRecords.length} "${options.trainSplit}" and ${evalRecords.length} "${options.evalSplit}" records; both must be non-empty.`,
      { where: { field: trainRecords.length === 0 ? 'dataset.trainSplit' : 'dataset.evalSplit' } },
    );
  }
  // audit holdout: whole units, chosen with the seed before anything trains
  const trainKeys = [...new Set(trainRecords.map(unitKey))];
  const holdoutKeys = new Set(pickFraction(trainKeys, options.auditHoldoutFraction, options.seed + 2));
  const holdout = trainRecords.filter((r) => holdoutKeys.has(unitKey(r)));
  trainRecords = trainRecords.filter((r) => !holdoutKeys.has(unitKey(r)));
  const excluded = options.excludeRecordIds;
  if (excluded && excluded.size > 0) trainRecords = trainRecords.filter((r) => !excluded.has(r.id));
  const shard = options.shard;
  const inShard = (key: string): boolean =>
    !shard || shardOfUnit(key, shard.count, shard.seed) === shard.index;
  trainRecords = trainRecords.filter((r) => inShard(unitKey(r)));

  let truncated = 0;
  const encode = (text: string): number[] => {
    const ids = scoringIds(model, tokenizer, text);
    if (ids.length > options.maxSequenceLength) {
      truncated += 1;
      return ids.slice(0, options.maxSequenceLength);
    }
    return ids;
  };
  const unitIndex = new Map<string, number>();
  const unitKeys: string[] = [];
  const unitExamples: number[][] = [];
  const train: TrainingExample[] = [];
  const trainTexts = new Map<number, string>();
  const addTrain = (key: string, recordId: number, text: string) => {
    let unit = unitIndex.get(key);
    if (unit === undefined) {
      unit = unitKeys.length;
      unitIndex.set(key, unit);
      unitKeys.push(key);
      unitExamples.push([]);
    }
    const ids = encode(text);
    if (ids.length < 2) return; // nothing to predict
    unitExamples[unit]!.push(train.length);
    train.push({ recordId, unit, ids });
    trainTexts.set(recordId, text);
  };
  for (const r of trainRecords) addTrain(unitKey(r), r.id, recordText(r));
  (options.extraTrainTexts ?? []).forEach((extra, i) => {
    if (inShard(`extra:${extra.key}`)) addTrain(`extra:${extra.key}`, -(i + 1), extra.text);
  });
  const evaluation = evalRecords
    .map((r) => ({ recordId: r.id, unit: -1, ids: encode(recordText(r)) }))
    .filter((e) => e.ids.length >= 2);
  return {
    dataset,
    train,
    unitExamples,
    unitKeys,
    evaluation,
    auditHoldout: holdout.map((r) => ({ recordId: r.id, text: recordText(r) })),
    trainTexts,
    truncated,
  };
}

/** A seeded random subset of about `fraction` of `items` (Fisher–Yates prefix). */
export function pickFraction<T>(items: readonly T[], fraction: number, seed: number): T[] {
  if (fraction <= 0) return [];
  const count = Math.min(items.length - 1, Math.max(1, Math.round(fraction * items.length)));
  return seededShuffle(items, seed).slice(0, Math.max(0, count));
}

export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const rng = new SeededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * The privacy ledger (every DP-SGD segment: steps, sampling rate q, noise multiplier σ, clip
 * norm C, unit count, privacy unit), tied to the checkpoint it was saved with, and the
 * privacy budget (ε, δ) of each dataset. The accountants read the ledger; nothing here
 * computes ε.
 */
import type { SqliteDatabase } from '../encryptedDatabase.js';

export interface LedgerSegment {
  firstStep: number;
  steps: number;
  sampleRate: number;
  noiseMultiplier: number;
  clipNorm: number;
  unitCount: number;
  privacyUnit: 'record' | 'patient';
}

export interface LedgerRow extends LedgerSegment {
  id: number;
  runId: number;
  checkpointId: number | null;
  recordedAt: string;
}

export interface BudgetRow {
  datasetId: number;
  epsilon: number;
  delta: number;
  updatedAt: string;
}

const ledgerColumns = `id, run_id AS runId, checkpoint_id AS checkpointId, first_step AS firstStep, steps,
  sample_rate AS sampleRate, noise_multiplier AS noiseMultiplier, clip_norm AS clipNorm, unit_count AS unitCount,
  privacy_unit AS privacyUnit, recorded_at AS recordedAt`;

export class PrivacyRepository {
  constructor(private readonly db: SqliteDatabase) {}

  appendLedger(runId: number, segment: LedgerSegment, checkpointId?: number): LedgerRow {
    const result = this.db
      .prepare(
        `INSERT INTO privacy_ledger (run_id, checkpoint_id, first_step, steps, sample_rate, noise_multiplier,
           clip_norm, unit_count, privacy_unit, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        runId,
        checkpointId ?? null,
        segment.firstStep,
        segment.steps,
        segment.sampleRate,
        segment.noiseMultiplier,
        segment.clipNorm,
        segment.unitCount,
        segment.privacyUnit,
        new Date().toISOString(),
      );
    return this.db
      .prepare(`SELECT ${ledgerColumns} FROM privacy_ledger WHERE id = ?`)
      .get(result.lastInsertRowid) as LedgerRow;
  }

  /**
   * Charges `steps` more steps to the run's ledger, write-ahead (before the steps' results
   * exist): extends the run's last segment when the parameters match and the steps follow
   * on, otherwise starts a new one. One transaction, so a crash leaves it whole.
   */
  chargeSteps(runId: number, segment: LedgerSegment): LedgerRow {
    return this.db.transaction(() => {
      const last = this.db
        .prepare(`SELECT ${ledgerColumns} FROM privacy_ledger WHERE run_id = ? ORDER BY id DESC LIMIT 1`)
        .get(runId) as LedgerRow | undefined;
      if (
        last &&
        last.checkpointId === null &&
        last.firstStep + last.steps === segment.firstStep &&
        last.sampleRate === segment.sampleRate &&
        last.noiseMultiplier === segment.noiseMultiplier &&
        last.clipNorm === segment.clipNorm &&
        last.unitCount === segment.unitCount &&
        last.privacyUnit === segment.privacyUnit
      ) {
        this.db
          .prepare('UPDATE privacy_ledger SET steps = steps + ? WHERE id = ?')
          .run(segment.steps, last.id);
        return { ...last, steps: last.steps + segment.steps };
      }
      return this.appendLedger(runId, segment);
    })();
  }

  /** The run's ledger in step order, up to a checkpoint's segments when one is given. */
  ledger(runId: number, upToCheckpointId?: number): LedgerRow[] {
    return this.db
      .prepare(
        `SELECT ${ledgerColumns} FROM privacy_ledger WHERE run_id = ?
         AND (? IS NULL OR id <= (SELECT max(id) FROM privacy_ledger WHERE checkpoint_id = ?)) ORDER BY first_step, id`,
      )
      .all(runId, upToCheckpointId ?? null, upToCheckpointId ?? null) as LedgerRow[];
  }

  setBudget(datasetId: number, epsilon: number, delta: number): BudgetRow {
    this.db
      .prepare(
        `INSERT INTO privacy_budgets (dataset_id, epsilon, delta, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(dataset_id) DO UPDATE SET epsilon = excluded.epsilon, delta = excluded.delta, updated_at = excluded.updated_at`,
      )
      .run(datasetId, epsilon, delta, new Date().toISOString());
    return this.budget(datasetId) as BudgetRow;
  }

  /** Removes the dataset's budget; false when it had none. */
  removeBudget(datasetId: number): boolean {
    return this.db.prepare('DELETE FROM privacy_budgets WHERE dataset_id = ?').run(datasetId).changes > 0;
  }

  budget(datasetId: number): BudgetRow | undefined {
    return this.db
      .prepare(
        'SELECT dataset_id AS datasetId, epsilon, delta, updated_at AS updatedAt FROM privacy_budgets WHERE dataset_id = ?',
      )
      .get(datasetId) as BudgetRow | undefined;
  }
}

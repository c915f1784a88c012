/** Runs keep their final summary (the train module's TrainingSummary JSON) next to their config. */
import type { SqliteDatabase } from '../encryptedDatabase.js';

export default function addRunSummary(db: SqliteDatabase): void {
  db.exec('ALTER TABLE runs ADD COLUMN summary_json TEXT');
}

/** Validates a report model from outside (a JSON file, the caller's assembly) with errors a user can act on. */
import { ConfidantError } from '../shared/confidantError.js';
import { ReportModelSchema, type ReportModel } from './reportModel.js';

export function validateReportModel(value: unknown, source?: string): ReportModel {
  const parsed = ReportModelSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  const more =
    parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : '';
  throw new ConfidantError(
    'REPORT_MODEL_INVALID',
    `The report data is not a valid report model: ${issue?.message ?? 'invalid'}${more}.`,
    {
      where: { ...(source ? { file: source } : {}), ...(field ? { field } : {}) },
      hint: 'Produce the file with `confidant report --run <run> --json report.json`, or fix the field named above.',
    },
  );
}

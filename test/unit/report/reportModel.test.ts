// The report model contract: the fixture is valid, and what must be refused is refused.
import { describe, expect, it } from 'vitest';
import { ReportModelSchema } from '../../../src-main/report/reportModel';
import { validateReportModel } from '../../../src-main/report/reportModelInput';
import { canonicalJson } from '../../../src-main/shared/canonicalJson';
import { isConfidantError } from '../../../src-main/shared/confidantError';
import { buildReportFixture } from '../../fixtures/report/reportFixture';

describe('ReportModelSchema', () => {
  it('accepts the two-run fixture and round-trips through canonical JSON unchanged', () => {
    const model = ReportModelSchema.parse(buildReportFixture());
    expect(model.runs).toHaveLength(2);
    const again = ReportModelSchema.parse(JSON.parse(canonicalJson(model)));
    expect(canonicalJson(again)).toBe(canonicalJson(model));
  });

  it('requires the record to name both the DP noise and the Poisson sampling as never recorded', () => {
    const model = buildReportFixture();
    model.reproducibility.neverRecorded = ['dp-noise'];
    const result = ReportModelSchema.safeParse(model);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['reproducibility', 'neverRecorded']);
  });

  it('refuses an empty run list, unknown keys, a non-ISO date and a malformed hash', () => {
    const noRuns = { ...buildReportFixture(), runs: [] };
    expect(ReportModelSchema.safeParse(noRuns).success).toBe(false);
    expect(ReportModelSchema.safeParse({ ...buildReportFixture(), extra: 1 }).success).toBe(false);
    expect(ReportModelSchema.safeParse({ ...buildReportFixture(), createdAt: '28/11/2026' }).success).toBe(
      false,
    );
    const badHash = buildReportFixture();
    badHash.dataset.sha256 = 'ABC';
    expect(ReportModelSchema.safeParse(badHash).success).toBe(false);
  });

  it('accepts a run that was not audited', () => {
    const model = buildReportFixture();
    model.runs = [{ training: model.runs[0]!.training, audit: null }];
    expect(ReportModelSchema.safeParse(model).success).toBe(true);
  });

  it('validateReportModel names the file and the field of the first problem', () => {
    const model = buildReportFixture() as unknown as {
      runs: { training: { privacy: { epsilon: unknown } } }[];
    };
    model.runs[1]!.training.privacy.epsilon = 'three';
    try {
      validateReportModel(model, 'report.json');
      expect.unreachable();
    } catch (error) {
      expect(isConfidantError(error)).toBe(true);
      if (!isConfidantError(error)) return;
      expect(error.code).toBe('REPORT_MODEL_INVALID');
      expect(error.location).toBe('report.json, field "runs.1.training.privacy.epsilon"');
    }
  });
});

/**
 * Budgets follow the people, not the copy (issue 18): a redacted copy of a dataset shares its
 * parent's ledger and budget, so training on the copy cannot reset the privacy spent; and a
 * budget on data already used without privacy is refused with advice that works (removing
 * the budget), while a budget that is merely too small names the --raise-budget that fits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deidentifyDataset } from '../../../src-main/data/index.js';
import { isConfidantError } from '../../../src-main/shared/confidantError.js';
import { budgetHolderId, datasetBudgetStatus } from '../../../src-main/train/datasetPrivacy.js';
import { train } from '../../../src-main/train/trainer.js';
import { smallRunConfig, trainingFixture, type TrainingFixture } from '../../helpers/trainingFixture.js';

let fixture: TrainingFixture;

beforeAll(async () => {
  fixture = await trainingFixture(40, 17);
});

afterAll(() => fixture.remove());

const refusal = async (run: Promise<unknown>) => {
  try {
    await run;
  } catch (error) {
    if (isConfidantError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('dataset budgets', () => {
  it('a redacted copy shares its parent’s budget and ledger; training on the copy spends the parent’s budget', async () => {
    const parent = fixture.store.datasets.findComplete('notes')[0]!;
    const copy = deidentifyDataset(fixture.store, parent, 'redact').dataset;
    expect(copy.parentDatasetId).toBe(parent.id);
    fixture.store.privacy.setBudget(parent.id, 8, 1e-3);
    expect(budgetHolderId(fixture.store, copy.id)).toBe(parent.id);

    const dp = smallRunConfig({
      dataset: { id: copy.name },
      privacy: { mode: 'noise-multiplier', noiseMultiplier: 2 },
      steps: 3,
    });
    const first = await train({ store: fixture.store, config: dp, runName: 'copy-1' });
    expect(first.summary.privacy.budget).not.toBeNull();
    expect(first.summary.privacy.budget!.epsilon).toBe(8);
    const spentAfterFirst = first.summary.privacy.budget!.spent;
    // the parent sees what was spent on the copy
    expect(datasetBudgetStatus(fixture.store, parent.id).spentEpsilon).toBeCloseTo(spentAfterFirst, 9);
    first.adapter.dispose();

    // a second run on the PARENT composes with the copy's run: a fresh copy does not reset it
    const onParent = smallRunConfig({ privacy: { mode: 'noise-multiplier', noiseMultiplier: 2 }, steps: 3 });
    const second = await train({ store: fixture.store, config: onParent, runName: 'parent-1' });
    expect(second.summary.privacy.budget!.spent).toBeGreaterThan(spentAfterFirst);
    second.adapter.dispose();

    // too small a budget: the advice names a --raise-budget that fits, and it works
    const big = smallRunConfig({ privacy: { mode: 'noise-multiplier', noiseMultiplier: 0.6 }, steps: 20 });
    const over = await refusal(train({ store: fixture.store, config: big, runName: 'over' }));
    expect(over.code).toBe('privacy.budget-exceeded');
    const raise = Number(/--raise-budget ([\d.]+)/.exec(over.options.hint ?? '')![1]);
    const raised = await train({
      store: fixture.store,
      config: big,
      runName: 'raised',
      raiseBudgetTo: raise,
    });
    expect(raised.summary.privacy.budget!.spent).toBeLessThanOrEqual(raise);
    raised.adapter.dispose();
  });

  it('after a non-private run on the copy, the budget is unbounded: the advice is to remove it, not to raise it', async () => {
    const copy = fixture.store.datasets.findComplete('notes-redacted')[0]!;
    const parent = fixture.store.datasets.findComplete('notes')[0]!;
    // with the family's budget in place, a non-private run on the copy is refused too
    const plainConfig = smallRunConfig({ dataset: { id: copy.name }, steps: 1 });
    const plainRefused = await refusal(
      train({ store: fixture.store, config: plainConfig, runName: 'plain-refused' }),
    );
    expect(plainRefused.options.hint).toMatch(/Train with differential privacy/);
    // without a budget it runs; a budget set afterwards is unbounded from the start
    expect(fixture.store.privacy.removeBudget(parent.id)).toBe(true);
    const plain = await train({ store: fixture.store, config: plainConfig, runName: 'plain' });
    plain.adapter.dispose();
    fixture.store.privacy.setBudget(parent.id, 8, 1e-3);
    const status = datasetBudgetStatus(fixture.store, parent.id);
    expect(status.nonPrivateRuns).toBe(1);
    expect(status.spentEpsilon).toBeNull();
    const dp = smallRunConfig({ privacy: { mode: 'noise-multiplier', noiseMultiplier: 1 }, steps: 1 });
    const refused = await refusal(
      train({ store: fixture.store, config: dp, runName: 'refused', raiseBudgetTo: 1000 }),
    );
    expect(refused.message).toMatch(/unbounded/);
    expect(refused.options.hint).toMatch(/Raising the budget cannot help/);
    expect(refused.options.hint).toContain(`confidant privacy budget --dataset ${parent.id} --remove`);
    // following the advice works
    expect(fixture.store.privacy.removeBudget(parent.id)).toBe(true);
    const ok = await train({ store: fixture.store, config: dp, runName: 'after-removal' });
    expect(ok.summary.privacy.budget).toBeNull();
    ok.adapter.dispose();
  });
});

/**
 * The `confidant train` and `confidant privacy budget` commands as a user types them: bad
 * configurations are refused with the file, line and field; a missing dataset names the
 * ones that exist; a budget is set, shown and recorded in the audit log.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../../src-main/store/index.js';
import { runCli } from '../../helpers/runCli.js';
import { FIXTURE_PASSPHRASE, trainingFixture, type TrainingFixture } from '../../helpers/trainingFixture.js';

let fixture: TrainingFixture;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  fixture = await trainingFixture(40, 3);
  fixture.store.close();
  env = { CONFIDANT_HOME: fixture.storeDirectory, CONFIDANT_PASSPHRASE: FIXTURE_PASSPHRASE };
});
afterAll(() => fixture.remove());

describe('confidant train', () => {
  it('requires --config', async () => {
    const r = await runCli(['train'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--config <file> is required/);
  });

  it('names the file, line and field of a misspelt option', async () => {
    const file = join(fixture.directory, 'bad.yaml');
    writeFileSync(
      file,
      'model: bundled\ndataset: { id: notes }\nprivacy: { mode: none }\nsteps: 2\nexpectedBatchSize: 4\nclip_norm: 2\n',
    );
    const r = await runCli(['train', '--config', file], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:6`);
    expect(r.stderr).toMatch(/clip_norm/);
  });

  it('names the datasets that exist when the configured one does not', async () => {
    const file = join(fixture.directory, 'missing.json');
    writeFileSync(
      file,
      JSON.stringify({
        model: 'bundled',
        dataset: { id: 'nope' },
        privacy: { mode: 'none' },
        steps: 1,
        expectedBatchSize: 2,
      }),
    );
    const r = await runCli(['train', '--config', file], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no complete dataset "nope"/);
    expect(r.stderr).toMatch(/1 \(notes\)/);
  });
});

describe('confidant privacy budget', () => {
  it('sets, shows and audits a dataset budget', async () => {
    const none = await runCli(['privacy', 'budget', '--dataset', 'notes', '--json'], { env });
    expect(none.code, none.stderr).toBe(0);
    expect(JSON.parse(none.stdout)).toMatchObject({ budget: null, runs: 0 });
    const noDelta = await runCli(['privacy', 'budget', '--dataset', 'notes', '--epsilon', '4'], { env });
    expect(noDelta.code).toBe(2);
    expect(noDelta.stderr).toMatch(/--delta is required/);
    const set = await runCli(
      ['privacy', 'budget', '--dataset', 'notes', '--epsilon', '4', '--delta', '1e-4', '--json'],
      { env },
    );
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ budget: { epsilon: 4, delta: 1e-4 }, spentEpsilon: 0 });
    const store = Store.open({ directory: fixture.storeDirectory, passphrase: FIXTURE_PASSPHRASE });
    const entry = store.auditLog.list().find((e) => e.action === 'budget');
    store.close();
    expect(entry?.details).toMatchObject({ to: 4, delta: 1e-4 });
    // a budget can be removed (issue 18), and the removal is audited
    const removed = await runCli(['privacy', 'budget', '--dataset', 'notes', '--remove', '--json'], { env });
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ budget: null, unbounded: false });
    const after = Store.open({ directory: fixture.storeDirectory, passphrase: FIXTURE_PASSPHRASE });
    const removal = after.auditLog
      .list()
      .filter((e) => e.action === 'budget')
      .at(-1);
    after.close();
    expect(removal?.details).toMatchObject({ from: 4, to: null });
  });
});

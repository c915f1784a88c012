// The data and store commands end to end, through the real CLI (tsx), on synthetic notes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../helpers/runCli';
import { DATABASE_FILE } from '../../../src-main/store/index';
import { openEncryptedDatabase } from '../../../src-main/store/encryptedDatabase';
import { readHeader } from '../../../src-main/store/storeHeader';
import { unlockKdf } from '../../../src-main/store/storeKeys';

const PASS = 'cli test passphrase';
const fixtures = resolve(import.meta.dirname, '../../fixtures/data');

describe('confidant data / store', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'confidant-cli-'));
    env = { CONFIDANT_HOME: join(dir, 'store'), CONFIDANT_PASSPHRASE: PASS };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('synthesises, imports, lists, scans, pseudonymises and verifies the log', async () => {
    const notes = join(dir, 'notes.jsonl');
    const synth = await runCli(['data', 'synth', '--records', '60', '--seed', '3', '--out', notes]);
    expect(synth.code, synth.stderr).toBe(0);
    const first = JSON.parse(readFileSync(notes, 'utf8').split('\n')[0]!) as {
      piiSpans: unknown[];
      subjectId: string;
    };
    expect(first.piiSpans.length).toBeGreaterThan(3);

    const imported = await runCli(
      [
        'data',
        'import',
        notes,
        '--project',
        'demo',
        '--map',
        'text=text,subject=subjectId,split=split,id=id',
      ],
      { env },
    );
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/Imported 60 records into dataset "notes"/);

    const list = await runCli(['data', 'list', '--json'], { env });
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ name: 'notes', recordCount: 60, project: 'demo' }),
    ]);

    const scan = await runCli(['data', 'scan', 'notes', '--json'], { env });
    expect(scan.code, scan.stderr).toBe(0);
    const summary = JSON.parse(scan.stdout) as {
      counts: Record<string, number>;
      examples: Record<string, string[]>;
    };
    expect(summary.counts.NAME).toBeGreaterThan(60);
    expect(summary.counts.MRN).toBeGreaterThan(30);
    // Examples are redacted: no planted MRN value appears in the scan output.
    const planted =
      readFileSync(notes, 'utf8').match(/"type":"MRN","start":\d+,"end":\d+,"text":"([^"]+)"/g) ?? [];
    for (const m of planted) expect(scan.stdout).not.toContain(JSON.parse(`{${m}}`).text);
    expect(summary.examples.MRN?.[0]).toContain('[MRN]');

    const redacted = await runCli(['data', 'redact', 'notes', '--mode', 'pseudonymise'], { env });
    expect(redacted.code, redacted.stderr).toBe(0);
    expect(redacted.stdout).toMatch(/Wrote dataset "notes-pseudonymised"/);

    const verify = await runCli(['store', 'verify-log', '--json'], { env });
    expect(JSON.parse(verify.stdout)).toEqual({ ok: true, entries: 4 }); // create, import, scan, pseudonymise
  });

  it('reports each bad line of a file and imports nothing', async () => {
    const result = await runCli(['data', 'import', join(fixtures, 'bad.jsonl'), '--project', 'demo'], {
      env,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bad.jsonl:3: error: Not valid JSON');
    expect(result.stderr).toContain('bad.jsonl:4: error: The id "a" was already used on line 1.');
    expect(result.stderr).toMatch(/6 errors in the file; nothing was imported/);
  });

  it('says clearly when the passphrase is wrong or missing', async () => {
    const wrong = await runCli(['data', 'list'], { env: { ...env, CONFIDANT_PASSPHRASE: 'not it' } });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/Wrong passphrase for the store[\s\S]*Nothing in the store was changed/);
    const missing = await runCli(['data', 'list'], { env: { ...env, CONFIDANT_PASSPHRASE: '' } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/CONFIDANT_PASSPHRASE/);
  });

  it('changes the passphrase with store passwd', async () => {
    const passwd = await runCli(['store', 'passwd'], {
      env: { ...env, CONFIDANT_NEW_PASSPHRASE: 'second passphrase' },
    });
    expect(passwd.code, passwd.stderr).toBe(0);
    expect((await runCli(['data', 'list'], { env })).code).toBe(2);
    const list = await runCli(['data', 'list', '--json'], {
      env: { ...env, CONFIDANT_PASSPHRASE: 'second passphrase' },
    });
    expect(JSON.parse(list.stdout)).toHaveLength(2);
  });

  it('previews a file without a store and reports store info', async () => {
    const preview = await runCli(['data', 'preview', join(fixtures, 'notes.csv'), '--limit', '2']);
    expect(preview.code, preview.stderr).toBe(0);
    expect(JSON.parse(preview.stdout)).toMatchObject({
      format: 'csv',
      mapping: { text: 'note' },
      records: [{}, {}],
    });
    const info = await runCli(['store', 'info', '--json'], {
      env: { ...env, CONFIDANT_PASSPHRASE: 'second passphrase' },
    });
    expect(JSON.parse(info.stdout)).toMatchObject({ integrity: 'ok', datasets: 2 });
  });

  it('store verify-log exits 3 and names the entry when the log was tampered with', async () => {
    const key = unlockKdf('second passphrase', readHeader(join(dir, 'store'))!.kdf)!;
    const db = openEncryptedDatabase(join(dir, 'store', DATABASE_FILE), key)!;
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare(`UPDATE audit_log SET details_json = '{}' WHERE seq = 2`).run();
    db.close();
    const verify = await runCli(['store', 'verify-log'], {
      env: { ...env, CONFIDANT_PASSPHRASE: 'second passphrase' },
    });
    expect(verify.code).toBe(3);
    expect(verify.stdout).toMatch(/AUDIT LOG TAMPERED: entry 2: its content was changed/);
  });
});

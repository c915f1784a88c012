// A site's privacy ledger between federation commands (issue #19): with the site's state key,
// an edited ledger, a deleted state file or an older copy put back is refused, instead of
// silently resetting the ε the site already spent.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SiteState } from '../../../src-main/federation/siteState';
import { fileAnchorVault } from '../../../src-main/store/ledgerAnchor';

const segment = { samplingRate: 0.05, noiseMultiplier: 1.1, clipNorm: 1, unitCount: 1000, steps: 20 };
const FED = 'fed-0123456789abcdef';

describe('site state protection', () => {
  let root: string;
  let dir: string;
  let protect: { key: Buffer; vault: ReturnType<typeof fileAnchorVault> };
  const open = () => SiteState.open(dir, FED, 'a', protect);
  const file = () => join(dir, 'site-state.json');

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'confidant-site-state-'));
    dir = join(root, 'state');
    protect = { key: randomBytes(32), vault: fileAnchorVault(join(root, 'anchors')) };
    const state = open();
    state.recordTraining([segment]);
    state.recordTraining([segment, segment]);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reopens an untouched state with its whole ledger', () => {
    expect(open().ledger).toHaveLength(3);
  });

  it('refuses a ledger edited by hand', () => {
    const json = JSON.parse(readFileSync(file(), 'utf8')) as { ledger: unknown[] };
    json.ledger = json.ledger.slice(0, 2);
    writeFileSync(file(), JSON.stringify(json));
    expect(() => open()).toThrow(expect.objectContaining({ code: 'fed.state-tampered' }));
    delete (json as { mac?: string }).mac;
    writeFileSync(file(), JSON.stringify(json));
    expect(() => open()).toThrow(expect.objectContaining({ code: 'fed.state-tampered' }));
  });

  it('refuses a deleted state file instead of starting ε from zero', () => {
    rmSync(file());
    expect(() => open()).toThrow(expect.objectContaining({ code: 'fed.state-missing' }));
  });

  it('refuses an older copy of the state put back', () => {
    const backup = join(root, 'backup.json');
    rmSync(join(root, 'anchors'), { recursive: true });
    const fresh = open(); // a checkpoint of 3 segments
    fresh.recordTraining([]); // saves
    copyFileSync(file(), backup);
    fresh.recordTraining([segment]);
    copyFileSync(backup, file());
    expect(() => open()).toThrow(expect.objectContaining({ code: 'fed.state-rolled-back' }));
  });
});

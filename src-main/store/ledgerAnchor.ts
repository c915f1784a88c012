/**
 * A checkpoint of the audit log and the privacy ledger kept OUTSIDE the encrypted database,
 * so that cutting entries off the log (and rewriting the head inside the database), or
 * restoring an older copy of the database, is detected when the store is unlocked.
 *
 * The checkpoint holds the audit log's last sequence number and hash and the privacy
 * ledger's row count and last id, authenticated with an HMAC-SHA256 keyed by a subkey of the
 * store's master key. It only moves forward (a write never lowers it). It lives in an
 * AnchorVault: by default a 0600 file in a per-user folder away from the store folder
 * (CONFIDANT_ANCHOR_DIR, else the platform's state folder), keyed by the store's random id
 * and its folder, so copying a store elsewhere gives the copy its own history while
 * restoring an old copy in place is caught. This is the "forward-secure checkpoint kept
 * elsewhere" idea of Schneier & Kelsey (1999, "Secure audit logs to support computer
 * forensics"), without its key evolution: whoever knows the passphrase AND can write the
 * anchor folder can still rewrite history (docs/security.md).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';

export const anchorStateSchema = z.object({
  /** The audit log's last entry (0 and 64 zeros when empty). */
  seq: z.number().int().nonnegative(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The privacy ledger: how many segments, and the largest id. */
  ledgerRows: z.number().int().nonnegative(),
  ledgerMaxId: z.number().int().nonnegative(),
  at: z.string(),
});
export type AnchorState = z.infer<typeof anchorStateSchema>;

const anchorFileSchema = z.object({
  format: z.literal('confidant-ledger-anchor'),
  version: z.literal(1),
  storeId: z.string(),
  state: anchorStateSchema,
  mac: z.string().regex(/^[0-9a-f]{64}$/),
});

/** Where checkpoints are kept; `name` identifies one store (id and folder). */
export interface AnchorVault {
  read(name: string): string | null;
  write(name: string, text: string): void;
}

/** The per-user folder for checkpoints: CONFIDANT_ANCHOR_DIR, else the platform state folder. */
export function defaultAnchorDirectory(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.CONFIDANT_ANCHOR_DIR) return resolve(env.CONFIDANT_ANCHOR_DIR);
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Confidant Anchors');
  if (platform === 'win32')
    return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'Confidant', 'anchors');
  return join(env.XDG_STATE_HOME ?? join(home, '.local', 'state'), 'confidant', 'anchors');
}

export function fileAnchorVault(directory: string = defaultAnchorDirectory()): AnchorVault {
  return {
    read(name) {
      const file = join(directory, `${name}.json`);
      return existsSync(file) ? readFileSync(file, 'utf8') : null;
    },
    write(name, text) {
      mkdirSync(directory, { recursive: true, mode: 0o700 });
      const file = join(directory, `${name}.json`);
      const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      writeFileSync(temporary, text, { mode: 0o600 });
      renameSync(temporary, file);
    },
  };
}

export type AnchorCheck =
  | { kind: 'none' }
  | { kind: 'ok'; anchor: AnchorState }
  | { kind: 'invalid'; detail: string }
  | { kind: 'rolled-back'; anchor: AnchorState; detail: string };

export class LedgerAnchor {
  private readonly name: string;

  constructor(
    private readonly vault: AnchorVault,
    private readonly storeId: string,
    directory: string,
    private readonly key: Buffer,
  ) {
    this.name = createHash('sha256')
      .update(`${storeId}\n${resolve(directory)}`)
      .digest('hex')
      .slice(0, 32);
  }

  private mac(state: AnchorState): string {
    return createHmac('sha256', this.key)
      .update(
        JSON.stringify([this.storeId, state.seq, state.hash, state.ledgerRows, state.ledgerMaxId, state.at]),
      )
      .digest('hex');
  }

  /** The stored checkpoint, or why it cannot be trusted. */
  read(): { kind: 'none' } | { kind: 'ok'; anchor: AnchorState } | { kind: 'invalid'; detail: string } {
    const text = this.vault.read(this.name);
    if (text === null) return { kind: 'none' };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { kind: 'invalid', detail: 'the checkpoint is not valid JSON' };
    }
    const parsed = anchorFileSchema.safeParse(json);
    if (!parsed.success) return { kind: 'invalid', detail: 'the checkpoint is malformed' };
    const { state, mac, storeId } = parsed.data;
    const expected = this.mac(state);
    if (storeId !== this.storeId || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected)))
      return { kind: 'invalid', detail: 'the checkpoint’s authentication code does not match this store' };
    return { kind: 'ok', anchor: state };
  }

  /**
   * Compares the database's current state with the checkpoint. `hashAt(seq)` is the audit
   * log's hash at that sequence number (undefined when there is no such entry).
   */
  check(current: AnchorState, hashAt: (seq: number) => string | undefined): AnchorCheck {
    const stored = this.read();
    if (stored.kind !== 'ok') return stored;
    const anchor = stored.anchor;
    const problems: string[] = [];
    if (current.seq < anchor.seq)
      problems.push(`the audit log ends at entry ${current.seq}, but entry ${anchor.seq} was recorded`);
    else if (anchor.seq > 0 && hashAt(anchor.seq) !== anchor.hash)
      problems.push(`audit log entry ${anchor.seq} is not the one that was recorded`);
    if (current.ledgerRows < anchor.ledgerRows || current.ledgerMaxId < anchor.ledgerMaxId)
      problems.push(
        `the privacy ledger has ${current.ledgerRows} segment(s), but ${anchor.ledgerRows} were recorded`,
      );
    return problems.length === 0
      ? { kind: 'ok', anchor }
      : { kind: 'rolled-back', anchor, detail: problems.join('; ') };
  }

  /** Moves the checkpoint forward to `state` (never back, unless `force`). */
  advance(state: AnchorState, force = false): void {
    if (!force) {
      const stored = this.read();
      if (
        stored.kind === 'ok' &&
        (state.seq < stored.anchor.seq ||
          state.ledgerRows < stored.anchor.ledgerRows ||
          state.ledgerMaxId < stored.anchor.ledgerMaxId)
      )
        return;
    }
    const file = {
      format: 'confidant-ledger-anchor',
      version: 1,
      storeId: this.storeId,
      state,
      mac: this.mac(state),
    };
    this.vault.write(this.name, `${JSON.stringify(file, null, 2)}\n`);
  }
}

/**
 * A site's federation state between commands, in its own folder: the composed privacy
 * ledger of every round it trained (so ε keeps composing across `fed join` runs and
 * air-gapped rounds), the rounds it sent updates for, and the global adapter after the
 * last aggregate it applied (raw little-endian float32, tensors concatenated).
 *
 * Opened with the site's state key (FederationSite.stateKey, derived from its invitation),
 * the file carries an HMAC-SHA256 over its content, so an edited ledger is refused; and a
 * checkpoint of the ledger's length is kept outside the folder (the store's anchor folder),
 * so deleting or rolling back site-state.json is refused instead of resetting ε to zero.
 * Moving to a new --state folder is not detected (docs/security.md).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfidantError } from '../shared/confidantError.js';
import { unflatten } from './adapterPacking.js';
import { parseJsonFile } from './federationFiles.js';
import { fileAnchorVault, type AnchorVault } from '../store/ledgerAnchor.js';
import type { TrainerLedgerSegment } from './localTrainer.js';

const SegmentSchema = z
  .object({
    samplingRate: z.number().gt(0).max(1),
    noiseMultiplier: z.number().gt(0),
    clipNorm: z.number().gt(0),
    unitCount: z.number().int().positive(),
    steps: z.number().int().positive(),
  })
  .strict();

export const SiteStateSchema = z
  .object({
    format: z.literal('confidant-fed-site-state'),
    version: z.literal(1),
    federationId: z.string(),
    siteId: z.string(),
    ledger: z.array(SegmentSchema),
    sent: z.array(
      z
        .object({
          round: z.number().int().positive(),
          updateSha256: z.string(),
          examples: z.number().int().positive(),
        })
        .strict(),
    ),
    applied: z.array(z.number().int().positive()),
    globalLayout: z.array(z.number().int().nonnegative()).nullable(),
    /** HMAC-SHA256 (the site's state key) of the JSON without this field. */
    mac: z.string().optional(),
  })
  .strict();

const CheckpointSchema = z.object({ ledger: z.number().int().nonnegative(), mac: z.string() }).strict();

export interface SiteStateProtection {
  /** FederationSite.stateKey(): authenticates the file and its checkpoint. */
  readonly key: Buffer;
  /** Where the ledger-length checkpoint is kept (default: the per-user anchor folder). */
  readonly vault?: AnchorVault;
}

export type SiteStateJson = z.infer<typeof SiteStateSchema>;

const STATE_FILE = 'site-state.json';
const ADAPTER_FILE = 'global-adapter.f32';

export class SiteState {
  private constructor(
    readonly dir: string,
    readonly json: SiteStateJson,
    private readonly protection: (SiteStateProtection & { vault: AnchorVault; name: string }) | null = null,
  ) {}

  private static mac(key: Buffer, json: SiteStateJson): string {
    const { mac: _mac, ...rest } = json;
    return createHmac('sha256', key).update(JSON.stringify(rest)).digest('hex');
  }

  private static checkpointMac(key: Buffer, name: string, ledger: number): string {
    return createHmac('sha256', key).update(`${name}\n${ledger}`).digest('hex');
  }

  /** The checkpointed ledger length, or null when there is none (refuses a forged one). */
  private static checkpoint(key: Buffer, vault: AnchorVault, name: string, file: string): number | null {
    const text = vault.read(name);
    if (text === null) return null;
    const parsed = (() => {
      try {
        return CheckpointSchema.safeParse(JSON.parse(text));
      } catch {
        return null;
      }
    })();
    const expected = parsed?.success ? SiteState.checkpointMac(key, name, parsed.data.ledger) : '';
    const given = parsed?.success ? parsed.data.mac : '';
    if (
      !parsed?.success ||
      given.length !== expected.length ||
      !timingSafeEqual(Buffer.from(given), Buffer.from(expected))
    )
      throw new ConfidantError(
        'fed.state-tampered',
        'the checkpoint of this site’s privacy ledger was altered',
        {
          where: { file },
          hint: 'the ε this site has spent cannot be trusted; ask the federation operators how to proceed',
        },
      );
    return parsed.data.ledger;
  }

  static open(dir: string, federationId: string, siteId: string, protect?: SiteStateProtection): SiteState {
    const file = join(dir, STATE_FILE);
    const protection = protect
      ? {
          ...protect,
          vault: protect.vault ?? fileAnchorVault(),
          name: createHash('sha256')
            .update(`site-state\n${federationId}\n${siteId}\n${resolve(dir)}`)
            .digest('hex')
            .slice(0, 32),
        }
      : null;
    const recorded = protection
      ? SiteState.checkpoint(protection.key, protection.vault, protection.name, file)
      : null;
    if (!existsSync(file)) {
      if (recorded !== null && recorded > 0) {
        throw new ConfidantError(
          'fed.state-missing',
          `this site's state (its privacy ledger of ${recorded} training segment(s)) was deleted`,
          {
            where: { file },
            hint: 'restore site-state.json from a backup: starting again would forget the ε this site already spent',
          },
        );
      }
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return new SiteState(
        dir,
        {
          format: 'confidant-fed-site-state',
          version: 1,
          federationId,
          siteId,
          ledger: [],
          sent: [],
          applied: [],
          globalLayout: null,
        },
        protection,
      );
    }
    const json = parseJsonFile(file, SiteStateSchema, 'the site state');
    if (json.federationId !== federationId || json.siteId !== siteId) {
      throw new ConfidantError(
        'fed.wrong-federation',
        `this state folder belongs to site ${json.siteId} of ${json.federationId}`,
        {
          where: { file },
          hint: 'use a separate --state folder per site and federation',
        },
      );
    }
    if (protection) {
      if (json.mac === undefined && recorded !== null)
        throw new ConfidantError(
          'fed.state-tampered',
          'this site’s state file lost its authentication code',
          {
            where: { file },
            hint: 'restore site-state.json from a backup; an edited privacy ledger would under-count ε',
          },
        );
      if (json.mac !== undefined) {
        const expected = SiteState.mac(protection.key, json);
        if (
          json.mac.length !== expected.length ||
          !timingSafeEqual(Buffer.from(json.mac), Buffer.from(expected))
        )
          throw new ConfidantError(
            'fed.state-tampered',
            'this site’s state file was edited: its authentication code does not match',
            {
              where: { file },
              hint: 'restore site-state.json from a backup; an edited privacy ledger would under-count ε',
            },
          );
      }
      if (recorded !== null && json.ledger.length < recorded)
        throw new ConfidantError(
          'fed.state-rolled-back',
          `this site's privacy ledger has ${json.ledger.length} segment(s), but ${recorded} were recorded`,
          {
            where: { file },
            hint: 'restore the newest site-state.json: an older copy forgets ε already spent',
          },
        );
    }
    return new SiteState(dir, json, protection);
  }

  get ledger(): TrainerLedgerSegment[] {
    return this.json.ledger.map((s) => ({ ...s }));
  }

  globalAdapter(): Float32Array[] | null {
    if (!this.json.globalLayout) return null;
    const bytes = readFileSync(join(this.dir, ADAPTER_FILE));
    const floats = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
    return unflatten(Float64Array.from(floats), this.json.globalLayout);
  }

  recordTraining(segments: readonly TrainerLedgerSegment[]): void {
    this.json.ledger.push(...segments.map((s) => ({ ...s })));
    this.save();
  }

  recordSent(round: number, updateSha256: string, examples: number): void {
    this.json.sent.push({ round, updateSha256, examples });
    this.save();
  }

  sentFor(round: number): SiteStateJson['sent'][number] | undefined {
    return this.json.sent.find((s) => s.round === round);
  }

  applyGlobal(round: number, adapter: readonly Float32Array[]): void {
    const total = adapter.reduce((n, t) => n + t.length, 0);
    const flat = new Float32Array(total);
    let offset = 0;
    for (const t of adapter) {
      flat.set(t, offset);
      offset += t.length;
    }
    const tmp = join(this.dir, `${ADAPTER_FILE}.tmp`);
    writeFileSync(tmp, Buffer.from(flat.buffer));
    renameSync(tmp, join(this.dir, ADAPTER_FILE));
    this.json.globalLayout = adapter.map((t) => t.length);
    this.json.applied.push(round);
    this.save();
  }

  private save(): void {
    if (this.protection) {
      delete this.json.mac;
      this.json.mac = SiteState.mac(this.protection.key, this.json);
    }
    const tmp = join(this.dir, `${STATE_FILE}.tmp`);
    writeFileSync(tmp, `${JSON.stringify(this.json, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, join(this.dir, STATE_FILE));
    if (this.protection) {
      const { key, vault, name } = this.protection;
      const ledger = this.json.ledger.length;
      vault.write(name, JSON.stringify({ ledger, mac: SiteState.checkpointMac(key, name, ledger) }));
    }
  }
}

/**
 * A site's federation state between commands, in its own folder: the composed privacy
 * ledger of every round it trained (so ε keeps composing across `fed join` runs and
 * air-gapped rounds), the rounds it sent updates for, and the global adapter after the
 * last aggregate it applied (raw little-endian float32, tensors concatenated).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfidantError } from '../shared/confidantError.js';
import { unflatten } from './adapterPacking.js';
import { parseJsonFile } from './federationFiles.js';
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
  })
  .strict();

export type SiteStateJson = z.infer<typeof SiteStateSchema>;

const STATE_FILE = 'site-state.json';
const ADAPTER_FILE = 'global-adapter.f32';

export class SiteState {
  private constructor(
    readonly dir: string,
    readonly json: SiteStateJson,
  ) {}

  static open(dir: string, federationId: string, siteId: string): SiteState {
    const file = join(dir, STATE_FILE);
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return new SiteState(dir, {
        format: 'confidant-fed-site-state',
        version: 1,
        federationId,
        siteId,
        ledger: [],
        sent: [],
        applied: [],
        globalLayout: null,
      });
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
    return new SiteState(dir, json);
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
    const tmp = join(this.dir, `${STATE_FILE}.tmp`);
    writeFileSync(tmp, `${JSON.stringify(this.json, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, join(this.dir, STATE_FILE));
  }
}

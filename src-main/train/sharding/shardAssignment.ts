/**
 * Which shard a privacy unit belongs to when a run is trained as k disjoint shards
 * (SISA: Bourtoule et al. 2021, "Machine Unlearning", IEEE S&P). The assignment is a keyed
 * hash of the unit key, not a shuffle, so it is stable: removing one patient moves no other
 * patient to another shard, and a shard retrained without that patient covers exactly the
 * units it covered before, minus the forgotten ones.
 *
 * Audit canaries are inserted as one unit per repetition (`canary:<i>:<r>`); all repetitions
 * of one canary go to the same shard, so a canary repeated 8 times is seen 8 times by one
 * shard (as it would be by an unsharded run), not once by each of 8 shards.
 */
import { createHash } from 'node:crypto';

export interface ShardPlan {
  readonly count: number;
  readonly index: number;
  readonly seed: number;
}

/** The key that decides the shard: a canary's repetitions share one. */
export function shardGroupKey(unitKey: string): string {
  const canary = /^(extra:canary:\d+):\d+$/.exec(unitKey);
  return canary ? canary[1]! : unitKey;
}

/** The shard (0 … count−1) of a unit key under a seeded partition. */
export function shardOfUnit(unitKey: string, count: number, seed: number): number {
  if (!Number.isInteger(count) || count < 1)
    throw new RangeError(`shard count must be a positive integer, got ${count}`);
  const digest = createHash('sha256')
    .update(`confidant-shard|${seed}|${shardGroupKey(unitKey)}`)
    .digest();
  return digest.readUInt32BE(0) % count;
}

/** A partition's identity: runs with the same one train on disjoint unit sets per index. */
export function partitionKey(datasetId: number, count: number, seed: number, privacyUnit: string): string {
  return `${datasetId}/${privacyUnit}/${count}/${seed}`;
}

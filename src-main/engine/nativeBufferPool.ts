/**
 * A pool of Float32Arrays for the `native` backend's kernel outputs. Every kernel output
 * used to be a fresh `new Float32Array(n)`: for a 4 MB activation the allocation (calloc,
 * fresh pages, a page fault per 4 KB) took 3.5 ms where the multiply itself took 0.3 ms,
 * and the freed arrays waited for V8's garbage collector, inflating peak RSS. Here an array
 * a native kernel allocated goes back to the pool when tfjs disposes its tensor, and the
 * next kernel output of the same length reuses it.
 *
 * An array is only ever reused when nothing else can still see it. It is recycled only if
 *  - this pool allocated it (arrays from tf.tensor(values), other backends or cpu kernels
 *    are never touched), and
 *  - it was never read out (backend.read/readSync — tensor.data(), dataSync(), array(),
 *    moving to another backend — hand the array itself to the caller), and
 *  - no second tensor or view was made from it (write/move of the same array or of a
 *    subarray of it, as the cpu Slice kernel does), and
 *  - the backend really dropped it (disposeData with refCount 0).
 * Otherwise it is left to the garbage collector, as before.
 */
import { totalmem } from 'node:os';
import type * as tf from '@tensorflow/tfjs';

/**
 * Largest array kept (elements): GPT-2-small's logits at 8×128 tokens (51 M) fit, and pooling
 * them took the log-probability gradient from 754 to 217 ms (a fresh 206 MB array costs
 * ~50,000 page faults).
 */
const MAX_POOLED_LENGTH = 64 * 1024 * 1024; // 256 MB
/**
 * Total elements the pool holds at most (CONFIDANT_NATIVE_POOL_MB; by default a quarter of the
 * machine's memory, at most 4 GiB): beyond it the oldest arrays are dropped. A training step
 * of the bundled model reuses ~800 MB; one of a GPT-2-small-sized model ~3 GB, and with a
 * 1 GiB pool it ran 20% slower (fresh arrays: page faults and zeroing) at the same peak RSS,
 * since the arrays the pool holds would otherwise wait for the garbage collector.
 */
const DEFAULT_POOL_MB = Math.min(4096, Math.floor(totalmem() / 4 / 2 ** 20));
const MAX_POOLED_TOTAL = poolLimitElements();
/** An idle pool (no kernel output for this long) is emptied, so memory goes back when work stops. */
const IDLE_CLEAR_MS = 2000;

function poolLimitElements(): number {
  const mb = Number(process.env.CONFIDANT_NATIVE_POOL_MB ?? DEFAULT_POOL_MB);
  return Number.isFinite(mb) && mb >= 0 ? Math.floor(mb * 262144) : DEFAULT_POOL_MB * 262144;
}

interface Owned {
  /** Tensors (dataIds) currently holding the array. */
  live: number;
  /** Seen outside the backend's kernels (read out, shared, viewed): never reused. */
  escaped: boolean;
}

interface PooledBackend {
  write(values: tf.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId;
  move(
    dataId: tf.DataId,
    values: tf.BackendValues,
    shape: number[],
    dtype: tf.DataType,
    refCount: number,
  ): void;
  read(dataId: tf.DataId): Promise<tf.BackendValues>;
  readSync(dataId: tf.DataId): tf.BackendValues;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
  data: {
    get(dataId: tf.DataId): { values?: tf.BackendValues } | undefined;
    has(dataId: tf.DataId): boolean;
  };
}

export class Float32Pool {
  private readonly free = new Map<number, Float32Array[]>();
  /** Every pooled array, oldest first: the oldest are dropped when the pool is full. */
  private readonly order = new Set<Float32Array>();
  private readonly owned = new WeakMap<Float32Array, Owned>();
  private readonly ownedBuffers = new WeakMap<ArrayBufferLike, Float32Array>();
  private pooledTotal = 0;
  private lastUse = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Arrays handed out from the pool, and freshly allocated (for tests and benchmarks). */
  reused = 0;
  allocated = 0;

  /** An array of `length` elements with ARBITRARY contents: the caller writes every element. */
  take(length: number): Float32Array {
    this.lastUse = performance.now();
    const bucket = this.free.get(length);
    const recycled = bucket?.pop();
    if (recycled) {
      this.order.delete(recycled);
      this.pooledTotal -= length;
      this.reused += 1;
      return recycled;
    }
    const fresh = new Float32Array(length);
    this.allocated += 1;
    if (length > 0 && length <= MAX_POOLED_LENGTH) {
      this.owned.set(fresh, { live: 0, escaped: false });
      this.ownedBuffers.set(fresh.buffer, fresh);
    }
    return fresh;
  }

  /** Elements currently held for reuse. */
  get pooledElements(): number {
    return this.pooledTotal;
  }

  /** Drops every pooled array (to the garbage collector). */
  clear(): void {
    this.free.clear();
    this.order.clear();
    this.pooledTotal = 0;
  }

  private scheduleIdleClear(): void {
    if (this.idleTimer) return;
    const check = () => {
      const idle = performance.now() - this.lastUse;
      if (idle >= IDLE_CLEAR_MS || this.pooledTotal === 0) {
        this.idleTimer = undefined;
        this.clear();
      } else {
        this.idleTimer = setTimeout(check, IDLE_CLEAR_MS - idle + 10);
        this.idleTimer.unref?.();
      }
    };
    this.idleTimer = setTimeout(check, IDLE_CLEAR_MS);
    this.idleTimer.unref?.();
  }

  private ownerOf(values: tf.BackendValues | undefined): Float32Array | undefined {
    if (!(values instanceof Float32Array)) {
      // a view of another type on an owned buffer also counts as a view
      const buffer = (values as { buffer?: ArrayBufferLike } | undefined)?.buffer;
      const owner = buffer ? this.ownedBuffers.get(buffer) : undefined;
      if (owner) this.escape(owner);
      return undefined;
    }
    const owner = this.ownedBuffers.get(values.buffer);
    if (!owner) return undefined;
    if (owner !== values) {
      this.escape(owner); // a subarray of an owned array
      return undefined;
    }
    return owner;
  }

  private escape(owner: Float32Array): void {
    const meta = this.owned.get(owner);
    if (meta) meta.escaped = true;
  }

  /** Called when a tensor starts holding `values`. */
  private held(values: tf.BackendValues | undefined): void {
    const owner = this.ownerOf(values);
    const meta = owner ? this.owned.get(owner) : undefined;
    if (!meta) return;
    meta.live += 1;
    if (meta.live > 1) meta.escaped = true;
  }

  private readOut(values: tf.BackendValues | undefined): void {
    const owner = this.ownerOf(values);
    if (owner) this.escape(owner);
  }

  private released(values: tf.BackendValues | undefined): void {
    const owner = this.ownerOf(values);
    const meta = owner ? this.owned.get(owner) : undefined;
    if (!owner || !meta) return;
    meta.live -= 1;
    if (meta.live !== 0 || meta.escaped) return;
    const bucket = this.free.get(owner.length);
    if (bucket) bucket.push(owner);
    else this.free.set(owner.length, [owner]);
    this.order.add(owner);
    this.pooledTotal += owner.length;
    this.scheduleIdleClear();
    for (const oldest of this.order) {
      if (this.pooledTotal <= MAX_POOLED_TOTAL) break;
      this.order.delete(oldest);
      const list = this.free.get(oldest.length) ?? [];
      list.splice(list.indexOf(oldest), 1);
      if (list.length === 0) this.free.delete(oldest.length);
      this.pooledTotal -= oldest.length;
    }
  }

  /** Hooks the backend's data methods so the pool sees every tensor's life. */
  install(backend: PooledBackend): void {
    const write = backend.write.bind(backend);
    const move = backend.move.bind(backend);
    const read = backend.read.bind(backend);
    const readSync = backend.readSync.bind(backend);
    const disposeData = backend.disposeData.bind(backend);
    backend.write = (values, shape, dtype) => {
      this.held(values);
      return write(values, shape, dtype);
    };
    backend.move = (dataId, values, shape, dtype, refCount) => {
      this.held(values);
      move(dataId, values, shape, dtype, refCount);
    };
    backend.readSync = (dataId) => {
      this.readOut(backend.data.get(dataId)?.values);
      return readSync(dataId);
    };
    backend.read = (dataId) => {
      this.readOut(backend.data.get(dataId)?.values);
      return read(dataId);
    };
    backend.disposeData = (dataId, force) => {
      const values = backend.data.has(dataId) ? backend.data.get(dataId)?.values : undefined;
      const done = disposeData(dataId, force);
      if (values && !backend.data.has(dataId)) this.released(values);
      return done;
    };
  }
}

const pools = new WeakMap<object, Float32Pool>();

/** Installs a pool on a freshly created cpu backend instance (the `native` backend). */
export function installFloat32Pool(backend: object): Float32Pool {
  const pool = new Float32Pool();
  pool.install(backend as PooledBackend);
  pools.set(backend, pool);
  return pool;
}

/** The backend's pool, if it has one. */
export function float32PoolOf(backend: object): Float32Pool | undefined {
  return pools.get(backend);
}

/**
 * A Float32Array of `length` for a kernel output on `backend`, from its pool when it has
 * one. Its contents are ARBITRARY: the kernel must write every element.
 */
export function outputFloat32(backend: object, length: number): Float32Array {
  return pools.get(backend)?.take(length) ?? new Float32Array(length);
}

/**
 * A thin layer over one WebGPU device for explicit kernels (llm.c's shape: every buffer
 * allocated once, every pipeline compiled once, a step recorded as a list of dispatches).
 * It counts what a step costs on the host side: dispatches, submits, read-back bytes.
 */
/// <reference types="@webgpu/types" />

export interface Dispatch {
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: readonly [number, number, number];
  readonly label: string;
}

export interface GpuCounters {
  dispatches: number;
  submits: number;
  readbackBytes: number;
  uploadBytes: number;
}

/** Read-write storage, copy source and destination: every buffer the executor owns. */
export function storageUsage(): number {
  return GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
}

export class GpuRuntime {
  readonly counters: GpuCounters = { dispatches: 0, submits: 0, readbackBytes: 0, uploadBytes: 0 };
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly owned: GPUBuffer[] = [];
  /** Bytes of every buffer created (never freed before dispose: the plan is static). */
  allocatedBytes = 0;

  constructor(
    readonly device: GPUDevice,
    readonly description: string,
    readonly features: ReadonlySet<string>,
  ) {
    device.addEventListener('uncapturederror', (event) => {
      this.error ??= (event as GPUUncapturedErrorEvent).error.message;
    });
  }

  /** The first WebGPU validation or out-of-memory error, reported at the next read-back. */
  private error: string | undefined;

  private check(): void {
    if (this.error) {
      const message = this.error;
      this.error = undefined;
      throw new Error(`WebGPU error in the fused executor: ${message}`);
    }
  }

  /** A zero-filled storage buffer of `floats` 32-bit words (at least 4 bytes). */
  buffer(floats: number, label: string): GPUBuffer {
    const size = Math.max(16, Math.ceil((floats * 4) / 16) * 16);
    const buffer = this.device.createBuffer({ size, usage: storageUsage(), label });
    this.owned.push(buffer);
    this.allocatedBytes += size;
    return buffer;
  }

  private scratchBuffer: { buffer: GPUBuffer; floats: number } | undefined;

  /**
   * A scratch buffer of at least `floats` words shared by every dispatch recorded on this
   * runtime (dispatches run in order, and none keeps scratch data past its own pair).
   */
  scratch(floats: number): GPUBuffer {
    if (!this.scratchBuffer || this.scratchBuffer.floats < floats) {
      this.scratchBuffer = { buffer: this.buffer(floats, 'scratch'), floats };
    }
    return this.scratchBuffer.buffer;
  }

  /** A storage buffer holding `data`. */
  upload(data: Float32Array | Uint32Array | Int32Array, label: string): GPUBuffer {
    const buffer = this.buffer(data.length, label);
    this.write(buffer, data);
    return buffer;
  }

  write(buffer: GPUBuffer, data: Float32Array | Uint32Array | Int32Array, offsetFloats = 0): void {
    this.device.queue.writeBuffer(buffer, offsetFloats * 4, data.buffer, data.byteOffset, data.byteLength);
    this.counters.uploadBytes += data.byteLength;
  }

  /** A uniform buffer of 32-bit words (u32 or f32 given as raw bits). */
  uniform(words: Uint32Array, label: string): GPUBuffer {
    const size = Math.max(16, Math.ceil((words.length * 4) / 16) * 16);
    const buffer = this.device.createBuffer({
      size,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      label,
    });
    this.device.queue.writeBuffer(buffer, 0, words.buffer, words.byteOffset, words.byteLength);
    this.owned.push(buffer);
    return buffer;
  }

  /** Compiles `code` once per key. The shader's entry point is `main`. */
  pipeline(key: string, code: string): GPUComputePipeline {
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ code, label: key });
      p = this.device.createComputePipeline({
        layout: 'auto',
        compute: { module, entryPoint: 'main' },
        label: key,
      });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** A dispatch of `pipeline` over bindings 0..n-1 (a buffer, or a buffer range in floats). */
  dispatch(
    pipeline: GPUComputePipeline,
    bindings: readonly (GPUBuffer | { buffer: GPUBuffer; offset: number; size: number })[],
    workgroups: readonly [number, number, number],
    label: string,
  ): Dispatch {
    const bindGroup = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: bindings.map((b, binding) =>
        'buffer' in b
          ? { binding, resource: { buffer: b.buffer, offset: b.offset * 4, size: b.size * 4 } }
          : { binding, resource: { buffer: b } },
      ),
      label,
    });
    for (const w of workgroups) {
      if (w > 65535) throw new RangeError(`${label}: ${w} workgroups in one dimension (limit 65535)`);
    }
    return { pipeline, bindGroup, workgroups, label };
  }

  /** Records the dispatches in one compute pass and submits them. */
  run(dispatches: readonly Dispatch[]): void {
    if (dispatches.length === 0) return;
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const d of dispatches) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
    }
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    this.counters.dispatches += dispatches.length;
    this.counters.submits += 1;
  }

  /** Copies `floats` words from `buffer` (at `offsetFloats`) back to the host. */
  async read(buffer: GPUBuffer, floats: number, offsetFloats = 0): Promise<Float32Array> {
    const bytes = Math.ceil((floats * 4) / 4) * 4;
    const staging = this.device.createBuffer({
      size: Math.max(16, Math.ceil(bytes / 16) * 16),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, offsetFloats * 4, staging, 0, bytes);
    this.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    this.check();
    const out = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
    staging.unmap();
    staging.destroy();
    this.counters.readbackBytes += bytes;
    this.counters.submits += 1;
    return out;
  }

  /** Waits for all submitted work. */
  async finish(): Promise<void> {
    await this.device.queue.onSubmittedWorkDone();
  }

  dispose(): void {
    for (const b of this.owned) b.destroy();
    this.owned.length = 0;
  }
}

/** f32 bits as a u32 word, for uniform buffers. */
export function f32Bits(x: number): number {
  const f = new Float32Array([x]);
  return new Uint32Array(f.buffer)[0]!;
}

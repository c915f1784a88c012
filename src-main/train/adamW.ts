/**
 * AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization"), as PyTorch's
 * torch.optim.AdamW computes it: p ← p·(1 − lr·λ); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
 * p ← p − lr·m̂/(√v̂ + ε) with bias-corrected m̂, v̂. On plain Float32Arrays: LoRA
 * parameters are small, and the state must be checkpointed exactly.
 */
export interface AdamWSettings {
  readonly beta1: number;
  readonly beta2: number;
  readonly weightDecay: number;
  readonly epsilon?: number;
}

export interface AdamWState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

export class AdamW {
  readonly state: AdamWState;

  constructor(
    private readonly settings: AdamWSettings,
    sizes: readonly number[],
    state?: AdamWState,
  ) {
    if (state) {
      if (state.m.length !== sizes.length || state.m.some((m, i) => m.length !== sizes[i])) {
        throw new RangeError('optimizer state does not match the adapter shapes');
      }
      this.state = state;
    } else {
      this.state = {
        step: 0,
        m: sizes.map((n) => new Float32Array(n)),
        v: sizes.map((n) => new Float32Array(n)),
      };
    }
  }

  /** Updates `params` in place with gradients `grads` at learning rate `lr`. */
  step(params: Float32Array[], grads: readonly Float32Array[], lr: number): void {
    const { beta1, beta2, weightDecay } = this.settings;
    const eps = this.settings.epsilon ?? 1e-8;
    this.state.step += 1;
    const t = this.state.step;
    const c1 = 1 - beta1 ** t;
    const c2 = 1 - beta2 ** t;
    params.forEach((p, k) => {
      const g = grads[k]!;
      const m = this.state.m[k]!;
      const v = this.state.v[k]!;
      for (let i = 0; i < p.length; i += 1) {
        const gi = g[i]!;
        m[i] = beta1 * m[i]! + (1 - beta1) * gi;
        v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
        const update = m[i]! / c1 / (Math.sqrt(v[i]! / c2) + eps);
        p[i] = p[i]! * (1 - lr * weightDecay) - lr * update;
      }
    });
  }
}

/**
 * Learning rate by step: linear warm-up from lr/W to lr over W steps, then cosine, linear
 * or no decay to 0 at the last step (as transformers' get_{cosine,linear}_schedule_with_warmup,
 * except that the first warm-up step is lr/W rather than 0, so no step is wasted).
 */
export type ScheduleKind = 'cosine' | 'linear' | 'constant';

export function learningRateAt(
  step: number,
  totalSteps: number,
  peak: number,
  warmupSteps: number,
  kind: ScheduleKind,
): number {
  if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  if (kind === 'constant') return peak;
  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  return kind === 'cosine' ? peak * 0.5 * (1 + Math.cos(Math.PI * progress)) : peak * (1 - progress);
}

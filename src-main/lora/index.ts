/** Public API of the LoRA folder. */
export { LoraAdapter, defaultTargetModules, matchesTarget } from './loraAdapter.js';
export type { LoraModule, LoraOptions } from './loraAdapter.js';
export {
  adapterArchive,
  exportAdapterArchive,
  loadAdapter,
  loadAdapterArchive,
  peftConfig,
  saveAdapter,
} from './peftFormat.js';
export { mergeAdapter } from './mergeAdapter.js';
export { averageAdapters } from './averageAdapters.js';
export { adapterModelCard, sizeClass } from './modelCard.js';
export type { CardVerdict, ModelCardInput } from './modelCard.js';

/** Public API of the model folder: load, run, generate, score. */
export type {
  AdapterMap,
  CausalLm,
  ForwardOptions,
  LinearModule,
  LoraWeights,
  WeightSpec,
} from './causalLm.js';
export { parseModelConfig, readModelConfig, SUPPORTED_MODEL_TYPES } from './config.js';
export type { Gpt2Config, LlamaConfig, ModelConfig, RopeScaling } from './config.js';
export { Checkpoint } from './checkpoint.js';
export {
  SafetensorsFile,
  writeSafetensors,
  parseHeader,
  encodeSafetensors,
  decodeSafetensors,
} from './safetensors.js';
export type { FloatTensorData, SafetensorsDtype, TensorInfo, TensorToWrite } from './safetensors.js';
export { TextTokenizer } from './tokenizer.js';
export { KvCache } from './kvCache.js';
export {
  buildModel,
  loadModel,
  parameterCount,
  randomModel,
  randomWeightArrays,
  weightSpecs,
} from './loadModel.js';
export type { LoadedModel } from './loadModel.js';
export { generateTokens, TextStreamer } from './generate.js';
export type { GenerateOptions } from './generate.js';
export type { SamplingOptions } from './sampling.js';
export { scoreTexts, scoreTokenSequences, scoringIds, tokenLogProbs } from './score.js';
export type { ScoreOptions, TextScore } from './score.js';
export { SeededRandom } from './seededRandom.js';
export { saveModelWeights } from './saveModel.js';
export {
  blockActivationTerms,
  loraParameterCount,
  matrixBytesPerParameter,
  planMemory,
  RUNTIME_RESERVE_BYTES,
  suggestFits,
  WEIGHT_FORMATS,
  weightsBytes,
} from './memoryPlan.js';
export type {
  ActivationTerm,
  MemoryPlan,
  MemoryPlanInput,
  PlanSuggestion,
  WeightFormat,
} from './memoryPlan.js';
export { blockLinears, defaultLoraTargets, parameterGroups } from './modelShapes.js';
export type { BlockLinear, ParameterGroups } from './modelShapes.js';
export {
  dequantiseInt8,
  dequantiseNf4,
  NF4_CODE_BOOK,
  QUANT_BLOCK_SIZE,
  quantiseInt8,
  quantiseNf4,
} from './blockQuantisation.js';
export type { Int8Blocks, Nf4Blocks } from './blockQuantisation.js';
export { writeRandomModelFolder } from './randomCheckpoint.js';
export type { RandomDtype, RandomModelOptions, RandomModelSummary } from './randomCheckpoint.js';
export { byteLevelTokenizerJson } from './byteLevelTokenizer.js';
export { normalQuantile } from './normalTable.js';
export { streamedValues, streamWeights } from './weightStream.js';
export type { StreamedTensor, StreamProgress, StreamWeightsOptions, WeightRole } from './weightStream.js';
export type { LoadModelOptions } from './loadModel.js';

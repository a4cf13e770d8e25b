/** The public surface shared by the browser and Node entries (everything but `createSegmenter`). */
export { SegmentAnything2Error, type SegmentAnything2ErrorCode, type ErrorDetail, type ValidationIssue } from './errors.js';
export { toGatewayJSON, pythonFloatRepr } from './pipeline/gateway-json.js';
export { binaryAt } from './pipeline/postprocess.js';
export { binaryMask, cutout, maskToPolygon, maskToRgba, toCocoRle, type BinaryMask, type CocoRle } from './pipeline/mask-export.js';
export type { ModelFile, ModelSpec, ModelSource } from './models/model-spec.js';
export type { ModelLoadProgress } from './models/model-loader.js';
export type { StoredModelFile } from './models/model-store.js';
export { GATEWAY_DEFAULT_MODEL_ID, SAM2_MODELS } from './models/registry.js';
export type { BackendInfo, EngineStats, ExecutionProvider, Segmenter, SegmenterOptions } from './options.js';
export type {
  BinaryMasks,
  BooleanField,
  ImageHandle,
  ImageInput,
  MaskFormat,
  PromptField,
  RawImage,
  SegmentAnything2Request,
  SegmentAnything2Response,
  SegmentOptions,
  Tensor,
} from './types.js';

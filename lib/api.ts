/**
 * The public surface shared by the browser and Node entries (everything but `createSegmenter`).
 * Internal helpers stay internal: tests reach them through their own modules.
 */
// Segmenting
export type { BackendInfo, DecoderPrecision, EngineStats, ExecutionProvider, RemoteOptions, Segmenter, SegmenterOptions } from './options.js';
export type { SegmentAnything2Request, SegmentAnything2Response, SegmentOptions, ImageInput, ImageHandle, RawImage } from './types.js';
export type { BinaryMasks, BooleanField, MaskFormat, PromptField, Tensor } from './types.js';
// Automatic masks and many objects in one call
export { AUTOMATIC_DEFAULTS } from './automatic.js';
export type { AutomaticMaskOptions, AutomaticOutputMode, AutomaticProgress, BinaryMaskArray, MaskRecord, UncompressedRle } from './automatic.js';
export type { ObjectPrompt, SegmentationOf, SegmentObjectsOptions } from './automatic.js';
// Errors
export { ERROR_CODES, SegmentAnything2Error, type SegmentAnything2ErrorCode, type ErrorDetail, type ValidationIssue } from './errors.js';
// Responses: the gateway's JSON body, and masks as bytes, RLE, polygons and pixels
export { toGatewayJSON, toGatewayJSONStream } from './pipeline/gateway-json.js';
export { binaryMask, cutout, maskToPolygon, maskToRgba, toCocoRle, type BinaryMask, type CocoRle } from './pipeline/mask-export.js';
// The gateway both ways: answering HTTP requests (also from a service worker's page), and a remote engine
export { createGatewayHandler, type GatewayHandlerOptions } from './gateway/handler.js';
export { answerGatewayRequests } from './gateway/page-server.js';
// Models
export { GATEWAY_DEFAULT_MODEL_ID, SAM2_MODELS } from './models/registry.js';
export type { ModelFile, ModelSpec, ModelSource } from './models/model-spec.js';
export type { ModelLoadProgress } from './models/model-loader.js';
export type { StoredModelFile } from './models/model-store.js';
// Video tracking
export type { FrameSource, PropagateOptions, TrackedObject, TrackerMode, VideoFrameInput, VideoFrameResult } from './video/types.js';
export type { VideoPrompt, VideoTracker, VideoTrackerOptions } from './video/types.js';
export { SAM2_VIDEO_MODELS, type VideoModelSpec } from './video/video-models.js';

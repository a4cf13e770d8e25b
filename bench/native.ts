/**
 * The native ceiling of `npm run bench`: the same model bytes the engine runs (the embedded model,
 * its decoder after the load-time edit of models/onnx-batch.ts), the same preprocessed scene and the
 * same decoder feeds, on native onnxruntime (onnxruntime-node, CPU execution provider) with the
 * same thread count. Timed around `session.run` alone, like the browser's bare baseline.
 */
import * as ort from 'onnxruntime-node';
import { SAM1_NAMES, decoderFeeds, detectContract } from '../lib/models/contracts.js';
import { readModel } from '../lib/models/model-loader.js';
import { batchedDecoder } from '../lib/models/onnx-batch.js';
import { MODEL_SIZE, preprocess } from '../lib/pipeline/preprocess.js';
import { checkPrompts } from '../lib/pipeline/prompts.js';
import { parseRequest } from '../lib/pipeline/request.js';
import { nodePlatform } from '../lib/platform/node.js';
import { PROMPTS, scene, summarize, type Summary } from './cases.js';

export interface NativeResult {
  readonly runtime: string;
  readonly threads: number;
  readonly encode: Summary;
  readonly decode: Summary;
}

export async function runNative(threads: number, n: number, encodes = 5): Promise<NativeResult> {
  const model = nodePlatform.embeddedModel();
  const bytes = await readModel(model, { readBytes: nodePlatform.readBytes });
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  };
  const encoder = await ort.InferenceSession.create(bytes.encoder, options);
  const decoder = await ort.InferenceSession.create(batchedDecoder(bytes.decoder, [SAM1_NAMES.masks, SAM1_NAMES.iou]).model, options);
  try {
    const contract = detectContract(encoder, decoder);
    const { tensor, geometry } = preprocess(await nodePlatform.decodeImage(scene(0)), contract.family);
    const input = new ort.Tensor('float32', tensor, [1, 3, MODEL_SIZE, MODEL_SIZE]);
    const fetches = contract.embeddings.map(([, out]) => out);
    const encodeTimes: number[] = [];
    let embeddings: Record<string, ort.Tensor> = {};
    for (let i = -1; i < encodes; i++) {
      const t0 = performance.now();
      embeddings = await encoder.run({ [contract.encoderInput]: input }, fetches);
      if (i >= 0) encodeTimes.push(performance.now() - t0);
    }
    const decodeTimes: number[] = [];
    for (let i = -3; i < n; i++) {
      const prompts = checkPrompts(parseRequest({ image: new Uint8Array(1), ...PROMPTS['1 point']!(i) }, model.id));
      const feeds = decoderFeeds<ort.Tensor>(contract, prompts, geometry, embeddings, (a) => new ort.Tensor('float32', a.data, [...a.dims]));
      const t0 = performance.now();
      await decoder.run(feeds, [contract.masksOutput, contract.iouOutput]);
      if (i >= 0) decodeTimes.push(performance.now() - t0);
    }
    return { runtime: `onnxruntime-node ${ort.env.versions.node ?? ''} (cpu)`.trim(), threads, encode: summarize(encodeTimes), decode: summarize(decodeTimes) };
  } finally {
    await Promise.all([encoder.release(), decoder.release()]);
  }
}

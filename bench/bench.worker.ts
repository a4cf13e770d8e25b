/**
 * The benchmark's worker: the library's own worker API (what `segment()` calls reach), plus a bare
 * onnxruntime-web baseline in the same worker, on the same ORT instance and threads: its own
 * sessions of the same model, fed the same tensors, timed around `session.run` alone.
 */
import { expose } from 'comlink';
import type { Embedding } from '../lib/engine/engine.js';
import { OrtRuntime, type OrtSession } from '../lib/engine/ort-runtime.js';
import { createModelSessions } from '../lib/engine/sessions.js';
import { decoderFeeds, type Contract } from '../lib/models/contracts.js';
import { readModel } from '../lib/models/model-loader.js';
import type { DecoderPrecision } from '../lib/options.js';
import { preprocess, MODEL_SIZE } from '../lib/pipeline/preprocess.js';
import { checkPrompts } from '../lib/pipeline/prompts.js';
import { parseRequest } from '../lib/pipeline/request.js';
import { browserPlatform as platform } from '../lib/platform/browser.js';
import { installErrorTransfer } from '../lib/transfer.js';
import type { ImageInput, SegmentAnything2Request } from '../lib/types.js';
import { createWorkerApi } from '../worker/api.js';

interface Bare {
  readonly decoder: OrtSession;
  readonly contract: Contract;
  readonly runtime: OrtRuntime;
  readonly embedding: Embedding;
  readonly modelId: string;
}
let bare: Bare | undefined;

const benchApi = {
  ...createWorkerApi(platform),

  /**
   * Bare sessions on the ORT build the engine loaded (call after init, so that the module and its
   * thread count are the engine's), and bare encoder runs on `image`. Returns a warm run's median ms.
   * The bare decoder has the engine's precision (the int8 tier's baseline is the int8 graph).
   */
  async bareSetup(image: ImageInput, device: 'wasm' | 'webgpu', decoderPrecision: DecoderPrecision = 'fp32'): Promise<number> {
    const ort = await platform.loadOrt(device);
    const model = platform.embeddedModel();
    const bytes = await readModel(model, { readBytes: platform.readBytes, store: platform.modelStore() });
    const runtime = new OrtRuntime(ort, device);
    const { encoder, decoder, contract } = await createModelSessions(model, bytes, runtime, decoderPrecision);
    const { tensor, geometry } = preprocess(await platform.decodeImage(image), contract.family);
    const fetches = contract.embeddings.map(([, out]) => out);
    // One untimed run (the session's first allocates its memory), then the median of three.
    const input = runtime.tensor(tensor, [1, 3, MODEL_SIZE, MODEL_SIZE]);
    let tensors = await encoder.run({ [contract.encoderInput]: input }, fetches);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      tensors = await encoder.run({ [contract.encoderInput]: input }, fetches);
      times.push(performance.now() - t0);
    }
    const encodeMs = times.sort((a, b) => a - b)[1]!;
    await encoder.release();
    bare = { decoder, contract, runtime, modelId: model.id, embedding: { tensors, geometry, bytes: 0, dispose: () => undefined } };
    return encodeMs;
  },

  /** `n` bare decoder runs on the feeds the engine would build for `request`; ms of each `session.run`. */
  async bareDecode(request: Omit<SegmentAnything2Request, 'image'>, n: number): Promise<number[]> {
    if (!bare) throw new Error('bareSetup first');
    const { decoder, contract, runtime, embedding } = bare;
    const prompts = checkPrompts(parseRequest({ ...request, image: new Uint8Array(1) }, bare.modelId));
    const feeds = decoderFeeds(contract, prompts, embedding.geometry, embedding.tensors, (a) => runtime.tensor(a.data, a.dims));
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await decoder.run(feeds, [contract.masksOutput, contract.iouOutput]);
      times.push(performance.now() - t0);
    }
    return times;
  },

};
export type BenchWorkerApi = typeof benchApi;

installErrorTransfer();
expose(benchApi);

/** A model's two ONNX Runtime sessions, created from its bytes, and the contract they follow. */
import { detectContract, SAM1_NAMES, type Contract } from '../models/contracts.js';
import { batchedDecoder } from '../models/onnx-batch.js';
import type { ModelBytes } from '../models/model-loader.js';
import type { ModelSpec } from '../models/model-spec.js';
import { withExtraOutputs } from '../models/onnx-outputs.js';
import { dropRankZeroValueInfo } from '../models/onnx-repair.js';
import type { OrtRuntime, OrtSession } from './ort-runtime.js';

export interface ModelSessions {
  readonly encoder: OrtSession;
  readonly decoder: OrtSession;
  readonly contract: Contract;
}

/** Creates the encoder and decoder sessions on `runtime` and detects their contract; releases both if it fails. */
export async function createModelSessions(model: ModelSpec, bytes: ModelBytes, runtime: OrtRuntime): Promise<ModelSessions> {
  const repair = (b: Uint8Array) => (model.repairValueInfo ? dropRankZeroValueInfo(b).model : b);
  const extra = model.allTokenOutputs ? [model.allTokenOutputs.masks, model.allTokenOutputs.iou] : [];
  // WebGPU allows one session creation at a time, so the two are created one after the other.
  const encoder = await runtime.createSession(repair(bytes.encoder), 'encoder');
  // Meta SAM1 exports get a dynamic prompt-batch axis and lose their unused upsampling branch.
  const batched = batchedDecoder(repair(bytes.decoder), [SAM1_NAMES.masks, SAM1_NAMES.iou, ...extra]);
  const decoder = await runtime.createSession(batched.prunedNodes > 0 ? batched.model : withExtraOutputs(batched.model, extra), 'decoder');
  try {
    return { encoder, decoder, contract: { ...detectContract(encoder, decoder, model.allTokenOutputs), batchable: batched.batchable } };
  } catch (e) {
    await Promise.all([encoder.release(), decoder.release()]);
    throw e;
  }
}

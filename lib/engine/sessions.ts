/** A model's two ONNX Runtime sessions, created from its bytes, and the contract they follow. */
import { detectContract, SAM1_NAMES, type Contract } from '../models/contracts.js';
import { batchedDecoder } from '../models/onnx-batch.js';
import type { ModelBytes } from '../models/model-loader.js';
import type { ModelSpec } from '../models/model-spec.js';
import { withExtraOutputs } from '../models/onnx-outputs.js';
import { quantizedDecoder } from '../models/onnx-quantize.js';
import { dropRankZeroValueInfo } from '../models/onnx-repair.js';
import type { DecoderPrecision } from '../options.js';
import type { OrtRuntime, OrtSession } from './ort-runtime.js';

export interface ModelSessions {
  readonly encoder: OrtSession;
  readonly decoder: OrtSession;
  readonly contract: Contract;
  readonly decoderPrecision: DecoderPrecision;
}

/**
 * Creates the encoder and decoder sessions on `runtime` and detects their contract; releases both if
 * it fails. `precision: 'int8'` quantizes the decoder's MatMul weights on WASM (onnxruntime-web's
 * WebGPU provider has no integer MatMul: there it stays fp32).
 */
export async function createModelSessions(model: ModelSpec, bytes: ModelBytes, runtime: OrtRuntime, precision: DecoderPrecision = 'fp32'): Promise<ModelSessions> {
  const repair = (b: Uint8Array) => (model.repairValueInfo ? dropRankZeroValueInfo(b).model : b);
  const extra = model.allTokenOutputs ? [model.allTokenOutputs.masks, model.allTokenOutputs.iou] : [];
  // WebGPU allows one session creation at a time, so the two are created one after the other.
  const encoder = await runtime.createSession(repair(bytes.encoder), 'encoder');
  // Meta SAM1 exports get a dynamic prompt-batch axis and lose their unused upsampling branch.
  const batched = batchedDecoder(repair(bytes.decoder), [SAM1_NAMES.masks, SAM1_NAMES.iou, ...extra]);
  const decoderBytes = batched.prunedNodes > 0 ? batched.model : withExtraOutputs(batched.model, extra);
  const quantized = precision === 'int8' && runtime.executionProvider === 'wasm' ? quantizedDecoder(decoderBytes) : undefined;
  const decoder = await runtime.createSession(quantized?.model ?? decoderBytes, 'decoder').catch(async (e) => {
    await encoder.release();
    throw e;
  });
  try {
    const contract = { ...detectContract(encoder, decoder, model.allTokenOutputs), batchable: batched.batchable };
    return { encoder, decoder, contract, decoderPrecision: quantized?.quantized ? 'int8' : 'fp32' };
  } catch (e) {
    await Promise.all([encoder.release(), decoder.release()]);
    throw e;
  }
}

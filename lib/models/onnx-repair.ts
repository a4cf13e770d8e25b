/**
 * Repairs for published ONNX files that onnxruntime-web refuses, done on the protobuf bytes without
 * decoding the whole model.
 *
 * samexporter's SAM2 tiny and small encoders declare `value_info` shapes with zero dimensions for
 * tensors that are really 4-D (/conv_s0, /conv_s1); onnxruntime-web's wasm build rejects them at
 * session creation (`[ShapeInferenceError] … inferred=4 declared=0`, docs/models.md §4). `value_info`
 * entries are only hints, so dropping the ones that declare a rank-0 shape is safe: ORT infers the
 * real shape again.
 */

import { concatBytes } from '../bytes.js';
import { bytesFieldHeader, child, fields, ONNX } from './protobuf.js';

/** A value_info whose tensor type declares a shape with no dimensions. */
function declaresRankZero(valueInfo: Uint8Array): boolean {
  const shape = child(child(child(valueInfo, ONNX.VALUE_INFO_TYPE), ONNX.TYPE_TENSOR), ONNX.TENSOR_SHAPE);
  if (!shape) return false;
  for (const f of fields(shape)) if (f.num === ONNX.SHAPE_DIM) return false;
  return true;
}

/**
 * `model` without graph `value_info` entries that declare rank-0 shapes, and how many were dropped.
 * The input is returned as is when there is nothing to drop.
 */
export function dropRankZeroValueInfo(model: Uint8Array): { model: Uint8Array; dropped: number } {
  let dropped = 0;
  const parts: Uint8Array[] = [];
  for (const f of fields(model)) {
    if (f.num !== ONNX.MODEL_GRAPH || !f.body) {
      parts.push(model.subarray(f.start, f.end));
      continue;
    }
    const kept: Uint8Array[] = [];
    for (const g of fields(f.body)) {
      if (g.num === ONNX.GRAPH_VALUE_INFO && g.body && declaresRankZero(g.body)) dropped++;
      else kept.push(f.body.subarray(g.start, g.end));
    }
    // The kept fields go straight into the output: the (weight-holding) graph is copied once.
    parts.push(bytesFieldHeader(ONNX.MODEL_GRAPH, kept.reduce((n, k) => n + k.length, 0)), ...kept);
  }
  return dropped === 0 ? { model, dropped } : { model: concatBytes(parts), dropped };
}

/**
 * Exposes intermediate tensors of an ONNX model as extra graph outputs, without decoding the model.
 *
 * Protobuf merges a message that appears twice: repeated fields are appended and embedded messages
 * are merged. So appending `ModelProto{graph: GraphProto{output: [ValueInfoProto…]}}` to the model's
 * bytes adds graph outputs, for a few dozen bytes and no parse of the (16 MB) original.
 *
 * Used to read all four mask tokens of Meta's `--return-single-mask` SAM1 decoder export, whose
 * graph otherwise picks one mask itself.
 */

import { concatBytes } from '../bytes.js';
import { bytesField, floatValueInfo, ONNX } from './protobuf.js';

/** `model` with float32 graph outputs added for the named tensors. The input is not modified. */
export function withExtraOutputs(model: Uint8Array, tensorNames: readonly string[]): Uint8Array {
  if (tensorNames.length === 0) return model;
  const graph = concatBytes(tensorNames.map((name) => bytesField(ONNX.GRAPH_OUTPUT, floatValueInfo(name))));
  return concatBytes([model, bytesField(ONNX.MODEL_GRAPH, graph)]);
}

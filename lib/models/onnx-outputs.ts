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

const WIRE_VARINT = 0;
const WIRE_BYTES = 2;
/** onnx.proto field numbers. */
const MODEL_GRAPH = 7;
const GRAPH_OUTPUT = 12;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_ELEM_TYPE = 1;
const ELEM_FLOAT = 1;

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

function field(num: number, bytes: readonly number[]): number[] {
  return [...varint((num << 3) | WIRE_BYTES), ...varint(bytes.length), ...bytes];
}

function floatValueInfo(name: string): number[] {
  const tensorType = [...varint((TENSOR_ELEM_TYPE << 3) | WIRE_VARINT), ELEM_FLOAT];
  return [...field(VALUE_INFO_NAME, [...new TextEncoder().encode(name)]), ...field(VALUE_INFO_TYPE, field(TYPE_TENSOR, tensorType))];
}

/** `model` with float32 graph outputs added for the named tensors. The input is not modified. */
export function withExtraOutputs(model: Uint8Array, tensorNames: readonly string[]): Uint8Array {
  if (tensorNames.length === 0) return model;
  const graph = tensorNames.flatMap((name) => field(GRAPH_OUTPUT, floatValueInfo(name)));
  const extra = field(MODEL_GRAPH, graph);
  const out = new Uint8Array(model.length + extra.length);
  out.set(model);
  out.set(extra, model.length);
  return out;
}

/**
 * The few protobuf wire-format pieces the ONNX byte edits need (onnx-outputs.ts, onnx-repair.ts):
 * varints, length-delimited fields, a field walker, and the onnx.proto field numbers they touch.
 */
import { concatBytes } from '../bytes.js';

export const WIRE_VARINT = 0;
export const WIRE_64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_32 = 5;

/** onnx.proto field numbers (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto). */
export const ONNX = {
  MODEL_GRAPH: 7,
  GRAPH_NODE: 1,
  GRAPH_INPUT: 11,
  GRAPH_OUTPUT: 12,
  GRAPH_VALUE_INFO: 13,
  VALUE_INFO_NAME: 1,
  VALUE_INFO_TYPE: 2,
  TYPE_TENSOR: 1,
  TENSOR_ELEM_TYPE: 1,
  TENSOR_SHAPE: 2,
  SHAPE_DIM: 1,
  DIM_VALUE: 1,
  DIM_PARAM: 2,
  NODE_INPUT: 1,
  NODE_OUTPUT: 2,
  NODE_NAME: 3,
  NODE_OP_TYPE: 4,
  NODE_ATTRIBUTE: 5,
  NODE_DOMAIN: 7,
  MODEL_IR_VERSION: 1,
  MODEL_PRODUCER: 2,
  MODEL_OPSET_IMPORT: 8,
  OPSET_VERSION: 2,
  GRAPH_NAME: 2,
  GRAPH_INITIALIZER: 5,
  ATTR_NAME: 1,
  ATTR_I: 3,
  ATTR_INTS: 8,
  ATTR_TYPE: 20,
  /** AttributeProto.AttributeType INT and INTS. */
  ATTR_TYPE_INT: 2,
  ATTR_TYPE_INTS: 7,
  TENSOR_DIMS: 1,
  TENSOR_DATA_TYPE: 2,
  TENSOR_NAME: 8,
  TENSOR_FLOAT_DATA: 4,
  TENSOR_RAW_DATA: 9,
  TENSOR_DATA_LOCATION: 14,
  /** TensorProto.DataType FLOAT, INT8 and INT64. */
  ELEM_FLOAT: 1,
  ELEM_INT8: 3,
  ELEM_INT64: 7,
} as const;

/** One field of a message. */
export interface Field {
  readonly num: number;
  readonly wire: number;
  /** The whole field, key included. */
  readonly start: number;
  readonly end: number;
  /** The payload of a length-delimited field. */
  readonly body?: Uint8Array;
}

/** The varint encoding of a non-negative integer (up to 2^53). */
export function encodeVarint(n: number): Uint8Array {
  const out: number[] = [];
  while (n > 127) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Uint8Array.from(out);
}

/** The varint at `pos` and the position after it. */
export function readVarint(buf: Uint8Array, pos: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    if (b === undefined) throw new RangeError('truncated protobuf varint');
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, pos];
    shift += 7;
  }
}

/** The key and length of a length-delimited field whose body follows. */
export function bytesFieldHeader(num: number, length: number): Uint8Array {
  return concatBytes([encodeVarint(num * 8 + WIRE_BYTES), encodeVarint(length)]);
}

/** A whole length-delimited field (a string, bytes or an embedded message). */
export function bytesField(num: number, body: Uint8Array): Uint8Array {
  return concatBytes([bytesFieldHeader(num, body.length), body]);
}

/** A whole varint field. */
export function varintField(num: number, value: number): Uint8Array {
  return concatBytes([encodeVarint(num * 8 + WIRE_VARINT), encodeVarint(value)]);
}

/** The fields of a message, in order, without decoding their payloads. */
export function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [key, afterKey] = readVarint(buf, pos);
    const num = Math.floor(key / 8);
    const wire = key % 8;
    pos = afterKey;
    if (wire === WIRE_VARINT) pos = readVarint(buf, pos)[1];
    else if (wire === WIRE_64) pos += 8;
    else if (wire === WIRE_32) pos += 4;
    else if (wire === WIRE_BYTES) {
      const [len, afterLen] = readVarint(buf, pos);
      pos = afterLen + len;
      yield { num, wire, start, end: pos, body: buf.subarray(afterLen, pos) };
      continue;
    } else throw new RangeError(`unsupported protobuf wire type ${wire}`);
    yield { num, wire, start, end: pos };
  }
}

/** The UTF-8 strings of every length-delimited field `num` of `msg` (a node's inputs, a tensor's name). */
export function strings(msg: Uint8Array, num: number): string[] {
  const out: string[] = [];
  for (const f of fields(msg)) if (f.num === num && f.body) out.push(new TextDecoder().decode(f.body));
  return out;
}

/** A ModelProto's graph field, if it has one. */
export function graphField(model: Uint8Array): Field | undefined {
  for (const f of fields(model)) if (f.num === ONNX.MODEL_GRAPH && f.body) return f;
  return undefined;
}

/** `model` with its graph field `graph` replaced by a graph made of the fields `parts` (each copied once). */
export function withGraph(model: Uint8Array, graph: Field, parts: readonly Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, p) => n + p.length, 0);
  return concatBytes([...fields(model)].flatMap((f) => (f.start === graph.start ? [bytesFieldHeader(ONNX.MODEL_GRAPH, length), ...parts] : [model.subarray(f.start, f.end)])));
}

/** The body of the first length-delimited field `num` of `buf`, if any. */
export function child(buf: Uint8Array | undefined, num: number): Uint8Array | undefined {
  if (!buf) return undefined;
  for (const f of fields(buf)) if (f.num === num && f.body) return f.body;
  return undefined;
}

/** A ValueInfoProto for a float32 tensor of unknown shape named `name` (a graph output to add). */
export function floatValueInfo(name: string): Uint8Array {
  const tensorType = bytesField(ONNX.TYPE_TENSOR, varintField(ONNX.TENSOR_ELEM_TYPE, ONNX.ELEM_FLOAT));
  return concatBytes([bytesField(ONNX.VALUE_INFO_NAME, new TextEncoder().encode(name)), bytesField(ONNX.VALUE_INFO_TYPE, tensorType)]);
}


/**
 * Writes small ONNX models (a few nodes, int64 shape constants, float32 inputs and outputs of fixed
 * shape) straight to protobuf bytes: graphs the library builds at load time, such as the video
 * memory bank's assembly (lib/video/bank-graph.ts). Opset 17, IR 8.
 */
import { concatBytes } from '../bytes.js';
import { bytesField, ONNX, varintField } from './protobuf.js';

const {
  MODEL_IR_VERSION, MODEL_PRODUCER, MODEL_OPSET_IMPORT, OPSET_VERSION, GRAPH_NAME, GRAPH_INITIALIZER, NODE_NAME, NODE_OP_TYPE, NODE_ATTRIBUTE,
  ATTR_NAME, ATTR_I, ATTR_INTS, ATTR_TYPE, ATTR_TYPE_INT, ATTR_TYPE_INTS, TENSOR_DIMS, TENSOR_DATA_TYPE, TENSOR_NAME, TENSOR_RAW_DATA, ELEM_INT64,
} = ONNX;

const utf8 = (s: string) => new TextEncoder().encode(s);

/** A node attribute: a non-negative integer or a list of them (axis, perm). */
export type NodeAttr = number | readonly number[];

export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  /** One output, or several in order (DynamicQuantizeLinear). */
  readonly output: string | readonly string[];
  readonly attrs?: Readonly<Record<string, NodeAttr>>;
}

export interface ModelSpecification {
  readonly name: string;
  /** float32 inputs with fixed shapes, in order. */
  readonly inputs: readonly { readonly name: string; readonly dims: readonly number[] }[];
  readonly outputs: readonly { readonly name: string; readonly dims: readonly number[] }[];
  /** int64 constants (shapes for Reshape and Expand). */
  readonly int64s?: Readonly<Record<string, readonly number[]>>;
  /** Topologically sorted. */
  readonly nodes: readonly NodeSpec[];
}

function floatInfo(name: string, dims: readonly number[]): Uint8Array {
  const shape = concatBytes(dims.map((d) => bytesField(ONNX.SHAPE_DIM, varintField(ONNX.DIM_VALUE, d))));
  const tensorType = concatBytes([varintField(ONNX.TENSOR_ELEM_TYPE, ONNX.ELEM_FLOAT), bytesField(ONNX.TENSOR_SHAPE, shape)]);
  return concatBytes([bytesField(ONNX.VALUE_INFO_NAME, utf8(name)), bytesField(ONNX.VALUE_INFO_TYPE, bytesField(ONNX.TYPE_TENSOR, tensorType))]);
}

/** A TensorProto of `dims` and ONNX element type `dataType`, its little-endian bytes in `raw`. */
export function rawTensor(name: string, dims: readonly number[], dataType: number, raw: Uint8Array): Uint8Array {
  return concatBytes([...dims.map((d) => varintField(TENSOR_DIMS, d)), varintField(TENSOR_DATA_TYPE, dataType), bytesField(TENSOR_NAME, utf8(name)), bytesField(TENSOR_RAW_DATA, raw)]);
}

function int64Tensor(name: string, values: readonly number[]): Uint8Array {
  const raw = new DataView(new ArrayBuffer(8 * values.length));
  values.forEach((v, i) => raw.setBigInt64(8 * i, BigInt(v), true));
  return rawTensor(name, [values.length], ELEM_INT64, new Uint8Array(raw.buffer));
}

function attribute(name: string, value: NodeAttr): Uint8Array {
  const head = bytesField(ATTR_NAME, utf8(name));
  if (typeof value === 'number') return concatBytes([head, varintField(ATTR_I, value), varintField(ATTR_TYPE, ATTR_TYPE_INT)]);
  return concatBytes([head, ...value.map((v) => varintField(ATTR_INTS, v)), varintField(ATTR_TYPE, ATTR_TYPE_INTS)]);
}

/** A NodeProto (default domain) named `name`. */
export function nodeProto(n: NodeSpec, name: string): Uint8Array {
  return concatBytes([
    ...n.inputs.map((i) => bytesField(ONNX.NODE_INPUT, utf8(i))),
    ...[n.output].flat().map((o) => bytesField(ONNX.NODE_OUTPUT, utf8(o))),
    bytesField(NODE_NAME, utf8(name)),
    bytesField(NODE_OP_TYPE, utf8(n.op)),
    ...Object.entries(n.attrs ?? {}).map(([k, v]) => bytesField(NODE_ATTRIBUTE, attribute(k, v))),
  ]);
}

/** The serialized ModelProto. */
export function writeOnnxModel(spec: ModelSpecification): Uint8Array {
  const graph = concatBytes([
    ...spec.nodes.map((n, i) => bytesField(ONNX.GRAPH_NODE, nodeProto(n, `n${i}`))),
    bytesField(GRAPH_NAME, utf8(spec.name)),
    ...Object.entries(spec.int64s ?? {}).map(([name, v]) => bytesField(GRAPH_INITIALIZER, int64Tensor(name, v))),
    ...spec.inputs.map((i) => bytesField(ONNX.GRAPH_INPUT, floatInfo(i.name, i.dims))),
    ...spec.outputs.map((o) => bytesField(ONNX.GRAPH_OUTPUT, floatInfo(o.name, o.dims))),
  ]);
  return concatBytes([
    varintField(MODEL_IR_VERSION, 8),
    bytesField(MODEL_PRODUCER, utf8('sam2-web')),
    bytesField(MODEL_OPSET_IMPORT, varintField(OPSET_VERSION, 17)),
    bytesField(ONNX.MODEL_GRAPH, graph),
  ]);
}

/**
 * The smallest model: `y = Identity(x)`. Creating a session of it starts onnxruntime's runtime (WASM
 * compiled and instantiated, threads spawned, the WebGPU device requested) before the real model
 * files have been read.
 */
export function identityModel(): Uint8Array {
  return writeOnnxModel({
    name: 'warm-up',
    inputs: [{ name: 'x', dims: [1] }],
    outputs: [{ name: 'y', dims: [1] }],
    nodes: [{ op: 'Identity', inputs: ['x'], output: 'y' }],
  });
}

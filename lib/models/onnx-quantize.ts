/**
 * The int8 decoder tier (`decoderPrecision: 'int8'`): a load-time edit, on the protobuf bytes, that
 * quantizes the weights of the `MatMul`s `select` names (by default SAM's image-side projections)
 * whose second input is a 2-D float32 initializer, the way onnxruntime's `quantize_dynamic` does
 * (int8 weights, symmetric, one scale per output column; activations quantized to uint8 per run):
 *
 *     Y = MatMul(A, W)  →  (Aq, As, Az) = DynamicQuantizeLinear(A)
 *                          Y = Cast(MatMulInteger(Aq, Wq, Az, 0)) · (As · Ws)
 *
 * onnxruntime's CPU graph optimizer fuses that pattern into `DynamicQuantizeMatMul` (or into
 * `MatMulIntegerToFloat` where two MatMuls share one quantized input), whose WASM kernels multiply
 * int8. The float weights the edit replaces are dropped; every other node is untouched. Results
 * differ from float32 by the rounding of weights and activations (the README's numbers;
 * test/engine/decoder-int8.test.ts).
 */
import { nodeProto, rawTensor } from './onnx-writer.js';
import { bytesField, fields, graphField, ONNX, readVarint, strings, WIRE_BYTES, WIRE_VARINT, withGraph, type Field } from './protobuf.js';

const { GRAPH_NODE, GRAPH_INITIALIZER, GRAPH_INPUT, GRAPH_OUTPUT, NODE_INPUT, NODE_OUTPUT, NODE_NAME, NODE_OP_TYPE, NODE_DOMAIN, VALUE_INFO_NAME } = ONNX;
const { TENSOR_DIMS, TENSOR_DATA_TYPE, TENSOR_NAME, TENSOR_FLOAT_DATA, TENSOR_RAW_DATA, TENSOR_DATA_LOCATION, ELEM_FLOAT, ELEM_INT8 } = ONNX;

export interface QuantizedModel {
  readonly model: Uint8Array;
  /** MatMuls quantized (0: the model is returned as is). */
  readonly quantized: number;
}

interface FloatMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** A 2-D float32 initializer's values, or undefined for any other tensor (or external data). */
function floatMatrix(tensor: Uint8Array): FloatMatrix | undefined {
  const dims: number[] = [];
  let type = 0;
  let raw: Uint8Array | undefined;
  const floats: number[] = [];
  for (const f of fields(tensor)) {
    const value = () => readVarint(tensor, readVarint(tensor, f.start)[1])[0];
    if (f.num === TENSOR_DIMS && f.wire === WIRE_VARINT) dims.push(value());
    else if (f.num === TENSOR_DIMS && f.body) for (let p = 0; p < f.body.length; ) [dims[dims.length], p] = readVarint(f.body, p);
    else if (f.num === TENSOR_DATA_TYPE && f.wire === WIRE_VARINT) type = value();
    else if (f.num === TENSOR_RAW_DATA && f.body) raw = f.body;
    else if (f.num === TENSOR_FLOAT_DATA && f.body) floats.push(...new Float32Array(f.body.slice().buffer));
    else if (f.num === TENSOR_DATA_LOCATION) return undefined;
  }
  if (type !== ELEM_FLOAT || dims.length !== 2) return undefined;
  const [rows, cols] = dims as [number, number];
  const data = raw ? new Float32Array(raw.slice().buffer) : Float32Array.from(floats);
  return data.length === rows * cols && rows * cols > 0 ? { rows, cols, data } : undefined;
}

/** Symmetric int8 per column of a row-major [rows, cols] matrix: the values and one scale per column. */
export function quantizeColumns({ rows, cols, data }: FloatMatrix): { values: Int8Array; scales: Float32Array } {
  const scales = new Float32Array(cols);
  for (let i = 0; i < data.length; i++) scales[i % cols] = Math.max(scales[i % cols]!, Math.abs(data[i]!));
  for (let c = 0; c < cols; c++) scales[c] = scales[c]! > 0 ? scales[c]! / 127 : 1;
  const values = new Int8Array(rows * cols);
  for (let i = 0; i < data.length; i++) values[i] = Math.max(-127, Math.min(127, Math.round(data[i]! / scales[i % cols]!)));
  return { values, scales };
}

const isDefaultDomainMatMul = (node: Uint8Array) => strings(node, NODE_OP_TYPE)[0] === 'MatMul' && !(strings(node, NODE_DOMAIN)[0] ?? '');

/**
 * The MatMuls worth quantizing in SAM's two-way transformer (SAM1 and SAM2 exports name nodes by
 * module path): the projections on the image side of each attention, which run over all 4096 image
 * tokens and take nearly all of the decoder's MatMul time. The token-side ones run over a handful of
 * prompt tokens: quantizing them saves nothing and costs accuracy.
 */
export const IMAGE_SIDE_PROJECTION = /(cross_attn_token_to_image|final_attn_token_to_image)\/[kv]_proj\/|cross_attn_image_to_token\/(q|out)_proj\//;

/** `model` with the weights of the MatMuls whose node name matches `select` quantized to int8 (see the module comment). */
export function quantizedDecoder(model: Uint8Array, select: RegExp = IMAGE_SIDE_PROJECTION): QuantizedModel {
  const graphEntry = graphField(model);
  if (!graphEntry) return { model, quantized: 0 };
  const graph = graphEntry.body!;
  const entries = [...fields(graph)];

  const initializers = new Map<string, Field>();
  for (const f of entries) if (f.num === GRAPH_INITIALIZER && f.body) initializers.set(strings(f.body, TENSOR_NAME)[0] ?? '', f);
  // How many nodes read each initializer (graph inputs and outputs count too: an initializer that is
  // also a graph input is a default the caller may override): it is dropped only when every reader was quantized.
  const readers = new Map<string, number>();
  const count = (name: string) => readers.set(name, (readers.get(name) ?? 0) + 1);
  for (const f of entries) {
    if (f.num === GRAPH_NODE && f.body) strings(f.body, NODE_INPUT).forEach(count);
    if ((f.num === GRAPH_OUTPUT || f.num === GRAPH_INPUT) && f.body) strings(f.body, VALUE_INFO_NAME).forEach(count);
  }

  /** Quantized MatMuls per weight. */
  const quantizedWeights = new Map<string, number>();
  const added: Uint8Array[] = [];
  const parts: Uint8Array[] = [];
  let quantized = 0;
  for (const f of entries) {
    if (f.num !== GRAPH_NODE || !f.body || !isDefaultDomainMatMul(f.body) || !select.test(strings(f.body, NODE_NAME)[0] ?? '')) {
      parts.push(graph.subarray(f.start, f.end));
      continue;
    }
    const [a, w] = strings(f.body, NODE_INPUT);
    const [y] = strings(f.body, NODE_OUTPUT);
    const init = w === undefined ? undefined : initializers.get(w);
    const matrix = init?.body && floatMatrix(init.body);
    if (!a || !w || !y || !matrix) {
      parts.push(graph.subarray(f.start, f.end));
      continue;
    }
    const p = `${y}/int8`;
    if (!quantizedWeights.has(w)) {
      const { values, scales } = quantizeColumns(matrix);
      added.push(
        rawTensor(`${w}/int8`, [matrix.rows, matrix.cols], ELEM_INT8, new Uint8Array(values.buffer)),
        rawTensor(`${w}/int8_scale`, [matrix.cols], ELEM_FLOAT, new Uint8Array(scales.buffer)),
        rawTensor(`${w}/int8_zero`, [matrix.cols], ELEM_INT8, new Uint8Array(matrix.cols)),
      );
    }
    quantizedWeights.set(w, (quantizedWeights.get(w) ?? 0) + 1);
    const nodes = [
      { op: 'DynamicQuantizeLinear', inputs: [a], output: [`${p}/a`, `${p}/a_scale`, `${p}/a_zero`] },
      { op: 'MatMulInteger', inputs: [`${p}/a`, `${w}/int8`, `${p}/a_zero`, `${w}/int8_zero`], output: `${p}/int32` },
      { op: 'Cast', inputs: [`${p}/int32`], output: `${p}/float`, attrs: { to: ELEM_FLOAT } },
      { op: 'Mul', inputs: [`${p}/a_scale`, `${w}/int8_scale`], output: `${p}/scale` },
      { op: 'Mul', inputs: [`${p}/float`, `${p}/scale`], output: y },
    ];
    nodes.forEach((n, i) => parts.push(bytesField(GRAPH_NODE, nodeProto(n, `${p}/${i}`))));
    quantized++;
  }
  if (quantized === 0) return { model, quantized: 0 };

  const unused = new Set([...quantizedWeights].filter(([name, uses]) => uses === readers.get(name)).map(([name]) => name));
  const kept = parts.filter((part) => {
    const [f] = fields(part);
    return !(f && f.num === GRAPH_INITIALIZER && f.wire === WIRE_BYTES && f.body && unused.has(strings(f.body, TENSOR_NAME)[0] ?? ''));
  });
  return { model: withGraph(model, graphEntry, [...kept, ...added.map((t) => bytesField(GRAPH_INITIALIZER, t))]), quantized };
}

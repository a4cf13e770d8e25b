/**
 * A load-time edit that gives Meta's SAM1 decoder export a dynamic prompt-batch axis, on the
 * protobuf bytes (no full decode of the 16 MB model).
 *
 * Meta's `export_onnx_model.py` declares `point_coords` [1, N, 2], `point_labels` [1, N] and
 * `mask_input` [1, 1, 256, 256], but its graph computes every shape from `Shape` ops and repeats
 * the image embedding per prompt (`repeat_interleave`), so the batch axis only needs declaring
 * dynamic. The graph also upsamples the masks to `orig_im_size` (an output this library never
 * reads, and one that grows with the batch to gigabytes): the edit prunes every node that no kept
 * output needs, which drops that branch and the `orig_im_size` input. Kept nodes are untouched, so
 * results are bit-identical to the original graph's (tested), one prompt at a time or batched.
 */
import { concatBytes as concat } from '../bytes.js';
import { bytesField as field, child, fields, floatValueInfo, graphField, ONNX, readVarint, strings, WIRE_VARINT, withGraph } from './protobuf.js';

const { GRAPH_NODE, GRAPH_INPUT, GRAPH_OUTPUT, NODE_INPUT, NODE_OUTPUT, VALUE_INFO_NAME, VALUE_INFO_TYPE, TYPE_TENSOR, TENSOR_SHAPE, SHAPE_DIM, DIM_VALUE, DIM_PARAM } = ONNX;

/** The decoder inputs whose first axis is the prompt batch. */
const BATCHED_INPUTS = ['point_coords', 'point_labels', 'mask_input'];
const BATCH_PARAM = 'prompt_batch';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytesOf = (s: string) => new TextEncoder().encode(s);

function valueInfoName(vi: Uint8Array): string {
  const b = child(vi, VALUE_INFO_NAME);
  return b ? text(b) : '';
}

/** The first dimension of a value_info's tensor shape: a number, a parameter name, or undefined. */
function firstDim(vi: Uint8Array): number | string | undefined {
  const shape = child(child(child(vi, VALUE_INFO_TYPE), TYPE_TENSOR), TENSOR_SHAPE);
  const dim = child(shape, SHAPE_DIM);
  if (!dim) return undefined;
  for (const f of fields(dim)) {
    if (f.num === DIM_PARAM && f.body) return text(f.body);
    if (f.num === DIM_VALUE && f.wire === WIRE_VARINT) return readVarint(dim, readVarint(dim, f.start)[1])[0];
  }
  return undefined;
}

/** `vi` with its first dimension replaced by the parameter `name`. */
function withFirstDimParam(vi: Uint8Array, name: string): Uint8Array {
  const rewrite = (msg: Uint8Array, path: number[], leaf: (m: Uint8Array) => Uint8Array): Uint8Array => {
    if (path.length === 0) return leaf(msg);
    const [num, ...rest] = path;
    let done = false;
    const parts = [...fields(msg)].map((f) => {
      if (!done && f.num === num && f.body) {
        done = true;
        return field(num, rewrite(f.body, rest, leaf));
      }
      return msg.subarray(f.start, f.end);
    });
    return concat(parts);
  };
  return rewrite(vi, [VALUE_INFO_TYPE, TYPE_TENSOR, TENSOR_SHAPE], (shape) => {
    let first = true;
    const parts = [...fields(shape)].map((f) => {
      if (first && f.num === SHAPE_DIM) {
        first = false;
        return field(SHAPE_DIM, field(DIM_PARAM, bytesOf(name)));
      }
      return shape.subarray(f.start, f.end);
    });
    return concat(parts);
  });
}

export interface BatchedDecoder {
  readonly model: Uint8Array;
  /** Whether the decoder takes several prompt sets along the first axis of its prompt inputs. */
  readonly batchable: boolean;
  /** Nodes the edit removed (0 when the model was returned as is). */
  readonly prunedNodes: number;
}

/**
 * Declares a decoder's prompt-batch axis. A decoder whose `point_coords` batch axis is already
 * dynamic (samexporter SAM2) is returned as is, batchable. A Meta SAM1 export (it has an
 * `orig_im_size` input and a fixed batch of 1) gets the batch axis declared dynamic and is pruned to
 * `keepOutputs` (which may name intermediate tensors: they become float graph outputs). Any other
 * decoder is returned as is, not batchable.
 */
export function batchedDecoder(model: Uint8Array, keepOutputs: readonly string[]): BatchedDecoder {
  const graphEntry = graphField(model);
  if (!graphEntry) return { model, batchable: false, prunedNodes: 0 };
  const graph = graphEntry.body!;
  const entries = [...fields(graph)];
  const inputs = entries.filter((f) => f.num === GRAPH_INPUT && f.body).map((f) => ({ f, name: valueInfoName(f.body!) }));
  const coords = inputs.find((i) => i.name === 'point_coords');
  if (!coords) return { model, batchable: false, prunedNodes: 0 };
  const dim = firstDim(coords.f.body!);
  if (typeof dim === 'string') return { model, batchable: true, prunedNodes: 0 };
  if (dim !== 1 || !inputs.some((i) => i.name === 'orig_im_size')) return { model, batchable: false, prunedNodes: 0 };

  // Walk the nodes backwards from the kept outputs (ONNX nodes are topologically sorted).
  const nodes = entries.filter((f) => f.num === GRAPH_NODE && f.body);
  const needed = new Set(keepOutputs);
  const keepNode = new Set<(typeof nodes)[number]>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (strings(n.body!, NODE_OUTPUT).some((o) => needed.has(o))) {
      keepNode.add(n);
      for (const input of strings(n.body!, NODE_INPUT)) needed.add(input);
    }
  }
  const declared = new Set(entries.filter((f) => f.num === GRAPH_OUTPUT && f.body).map((f) => valueInfoName(f.body!)));
  const parts: Uint8Array[] = [];
  for (const f of entries) {
    const body = f.body;
    if (f.num === GRAPH_NODE && body && !keepNode.has(f)) continue;
    if (f.num === GRAPH_OUTPUT && body && !keepOutputs.includes(valueInfoName(body))) continue;
    if (f.num === GRAPH_INPUT && body) {
      const name = valueInfoName(body);
      if (!needed.has(name)) continue;
      if (BATCHED_INPUTS.includes(name)) {
        parts.push(field(GRAPH_INPUT, withFirstDimParam(body, BATCH_PARAM)));
        continue;
      }
    }
    parts.push(graph.subarray(f.start, f.end));
  }
  for (const name of keepOutputs) if (!declared.has(name)) parts.push(field(GRAPH_OUTPUT, floatValueInfo(name)));
  return { model: withGraph(model, graphEntry, parts), batchable: true, prunedNodes: nodes.length - keepNode.size };
}

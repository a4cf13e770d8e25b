/**
 * Repairs for published ONNX files that onnxruntime-web refuses, done on the protobuf bytes without
 * decoding the whole model.
 *
 * samexporter's SAM2 tiny and small encoders declare `value_info` shapes with zero dimensions for
 * tensors that are really 4-D (/conv_s0, /conv_s1); onnxruntime-web's wasm build rejects them at
 * session creation (`[ShapeInferenceError] … inferred=4 declared=0`, anchors.md §6). `value_info`
 * entries are only hints, so dropping the ones that declare a rank-0 shape is safe: ORT infers the
 * real shape again.
 */

const WIRE_VARINT = 0;
const WIRE_64 = 1;
const WIRE_BYTES = 2;
const WIRE_32 = 5;
const MODEL_GRAPH = 7;
const GRAPH_VALUE_INFO = 13;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_SHAPE = 2;
const SHAPE_DIM = 1;

interface Field {
  readonly num: number;
  readonly wire: number;
  /** The whole field, key included. */
  readonly start: number;
  readonly end: number;
  /** The payload of a length-delimited field. */
  readonly body?: Uint8Array;
}

function readVarint(buf: Uint8Array, pos: number): [value: number, next: number] {
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

function* fields(buf: Uint8Array): Generator<Field> {
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

function child(buf: Uint8Array | undefined, num: number): Uint8Array | undefined {
  if (!buf) return undefined;
  for (const f of fields(buf)) if (f.num === num && f.body) return f.body;
  return undefined;
}

/** A value_info whose tensor type declares a shape with no dimensions. */
function declaresRankZero(valueInfo: Uint8Array): boolean {
  const shape = child(child(child(valueInfo, VALUE_INFO_TYPE), TYPE_TENSOR), TENSOR_SHAPE);
  if (!shape) return false;
  for (const f of fields(shape)) if (f.num === SHAPE_DIM) return false;
  return true;
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * `model` without graph `value_info` entries that declare rank-0 shapes, and how many were dropped.
 * The input is returned as is when there is nothing to drop.
 */
export function dropRankZeroValueInfo(model: Uint8Array): { model: Uint8Array; dropped: number } {
  let dropped = 0;
  const parts: Uint8Array[] = [];
  for (const f of fields(model)) {
    if (f.num !== MODEL_GRAPH || !f.body) {
      parts.push(model.subarray(f.start, f.end));
      continue;
    }
    const kept: Uint8Array[] = [];
    for (const g of fields(f.body)) {
      if (g.num === GRAPH_VALUE_INFO && g.body && declaresRankZero(g.body)) dropped++;
      else kept.push(f.body.subarray(g.start, g.end));
    }
    const graph = concat(kept);
    parts.push(Uint8Array.from([...varint(MODEL_GRAPH * 8 + WIRE_BYTES), ...varint(graph.length)]), graph);
  }
  return dropped === 0 ? { model, dropped } : { model: concat(parts), dropped };
}

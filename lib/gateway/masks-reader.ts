/**
 * Reads a runner or gateway 200 body (`{"masks":"[[[…]]]","scores":"[…]","logits":"[[[…]]]"}`, in
 * any key order, as the go-livepeer gateway reorders them) from a byte stream, straight into typed
 * arrays: the Python-list text is never held whole, so memory is the size of the tensors (1 bit
 * per pixel for `maskFormat: 'bits'`). Each number is Python's repr of a float32 widened to a
 * double, so `Number(text)` stored in a Float32Array is the exact float32.
 */
import { errorWithStatus, type SegmentAnything2Error } from '../errors.js';
import type { BinaryMasks, MaskFormat, SegmentAnything2Response, Tensor } from '../types.js';

const BLOCK = 1 << 16;

/** Collects values without knowing their count in advance. */
class Sink {
  private readonly blocks: (Float32Array | Uint8Array)[] = [];
  private current: Float32Array | Uint8Array;
  private at = 0;
  count = 0;

  constructor(private readonly format: MaskFormat) {
    this.current = this.block();
  }

  private block(): Float32Array | Uint8Array {
    return this.format === 'float32' ? new Float32Array(BLOCK) : new Uint8Array(this.format === 'uint8' ? BLOCK : BLOCK / 8);
  }

  push(v: number): void {
    const capacity = this.format === 'bits' ? BLOCK : this.current.length;
    if (this.at === capacity) {
      this.blocks.push(this.current);
      this.current = this.block();
      this.at = 0;
    }
    if (this.format === 'float32') this.current[this.at] = v;
    else if (this.format === 'uint8') this.current[this.at] = v > 0 ? 1 : 0;
    else if (v > 0) this.current[this.at >> 3]! |= 0x80 >> (this.at & 7);
    this.at++;
    this.count++;
  }

  /** The values in one array of exact length. */
  finish(): Float32Array | Uint8Array {
    const length = this.format === 'bits' ? Math.ceil(this.count / 8) : this.count;
    const out = this.format === 'float32' ? new Float32Array(length) : new Uint8Array(length);
    let offset = 0;
    for (const b of [...this.blocks, this.current]) {
      const n = Math.min(b.length, length - offset);
      out.set(b.subarray(0, n), offset);
      offset += n;
    }
    this.blocks.length = 0;
    return out;
  }
}

/** One Python nested list (`str(list)`), read character by character. */
class ListReader {
  readonly dims: number[] = [];
  private readonly counts: number[] = [];
  private depth = 0;
  private token = '';
  readonly sink: Sink;

  constructor(format: MaskFormat) {
    this.sink = new Sink(format);
  }

  private flush(): void {
    if (!this.token) return;
    const t = this.token;
    this.token = '';
    const v = t === 'nan' ? NaN : t === 'inf' ? Infinity : t === '-inf' ? -Infinity : Number(t);
    if (Number.isNaN(v) && t !== 'nan') throw bad(`a number cannot be read from ${JSON.stringify(t.slice(0, 40))}`);
    this.sink.push(v);
    this.counts[this.depth - 1]!++;
  }

  /** Feeds one character code; returns false at the value's closing quote. */
  feed(c: number): boolean {
    switch (c) {
      case 0x5b: // [
        if (this.depth > 0) this.counts[this.depth - 1]!++;
        this.counts[this.depth++] = 0;
        return true;
      case 0x5d: {
        // ]
        this.flush();
        const d = --this.depth;
        if (d < 0) throw bad('unbalanced brackets');
        const n = this.counts[d]!;
        if (this.dims[d] === undefined) this.dims[d] = n;
        else if (this.dims[d] !== n) throw bad('a ragged list');
        return true;
      }
      case 0x2c: // ,
      case 0x20: // space
        this.flush();
        return true;
      case 0x22: // "
        if (this.depth !== 0) throw bad('a list cut short');
        return false;
      default:
        this.token += String.fromCharCode(c);
        if (this.token.length > 64) throw bad('a number longer than 64 characters');
        return true;
    }
  }
}

function bad(what: string): SegmentAnything2Error {
  return errorWithStatus(502, 'HTTP', { msg: `The remote response is not a segment-anything-2 body: ${what}.` });
}

const KEYS = ['masks', 'scores', 'logits'] as const;

/** Parses a 200 body stream into a response; masks in `maskFormat`. */
export async function readMasksResponse(body: ReadableStream<Uint8Array>, maskFormat: MaskFormat = 'float32'): Promise<SegmentAnything2Response> {
  const lists = new Map<string, ListReader>();
  let state: 'outside' | 'key' | 'colon' | 'value' = 'outside';
  let key = '';
  let reader: ListReader | undefined;
  const stream = body.getReader();
  try {
    for (;;) {
      const { done, value } = await stream.read();
      if (done) break;
      for (let i = 0; i < value.length; i++) {
        const c = value[i]!;
        if (state === 'value') {
          if (!reader!.feed(c)) state = 'outside';
        } else if (state === 'outside') {
          if (c === 0x22) {
            state = 'key';
            key = '';
          }
        } else if (state === 'key') {
          if (c === 0x22) state = 'colon';
          else key += String.fromCharCode(c);
        } else if (c === 0x22) {
          // The opening quote of the value after `key:`.
          if (!(KEYS as readonly string[]).includes(key) || lists.has(key)) throw bad(`an unexpected field ${JSON.stringify(key)}`);
          reader = new ListReader(key === 'masks' ? maskFormat : 'float32');
          lists.set(key, reader);
          state = 'value';
        } else if (c !== 0x3a && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) throw bad('a field that is not a string');
      }
    }
  } finally {
    stream.releaseLock();
  }
  const tensor = (name: (typeof KEYS)[number]): Tensor => {
    const list = lists.get(name);
    if (!list || state !== 'outside') throw bad(`no complete ${name} field`);
    return { data: list.sink.finish() as Float32Array, dims: list.dims };
  };
  const masks = tensor('masks');
  const response = { masks, scores: tensor('scores'), logits: tensor('logits') };
  if (maskFormat === 'float32') return response;
  const binary: BinaryMasks = { format: maskFormat, data: masks.data as unknown as Uint8Array, dims: masks.dims as [number, number, number] };
  return { ...response, masks: binary };
}

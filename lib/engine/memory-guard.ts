/**
 * Prompts whose decoder run cannot fit in memory, refused before onnxruntime allocates anything.
 *
 * SAM's two-way transformer (SAM1 and SAM2 decoders alike: 8 heads) attends every prompt token to
 * every other: each attention layer holds at least two float32 [8, T, T] tensors at once (the
 * scores and their softmax; measured: 2,000 points grow the heap by 2.7 of them), where T is the
 * number of prompt points plus the decoder's 5 output tokens. A WebAssembly heap can never pass
 * 4 GiB and never shrinks, so a run that needs more fails with `std::bad_alloc` after growing the
 * heap as far as it can, and the process keeps that memory. Such a run is answered as its failure
 * would be (the runner's out-of-memory 500) without starting it.
 */
import { outOfMemoryError } from '../errors.js';

/** The most a wasm32 heap can hold. */
export const WASM_HEAP_LIMIT_BYTES = 4 * 2 ** 30;

/** Heads of the decoder's attention, and its output tokens (IoU + 4 masks) beside the prompts. */
const HEADS = 8;
const OUTPUT_TOKENS = 5;

/** A lower bound of the decoder's peak memory for `points` prompt points (with box corners and padding). */
export function decoderAttentionBytes(points: number): number {
  const tokens = points + OUTPUT_TOKENS;
  return 2 * HEADS * tokens * tokens * 4;
}

/** Throws the runner's OUT_OF_MEMORY 500 when a decoder run on `sets` prompt sets of `points` points each is certain to exhaust the heap. */
export function checkDecoderMemory(points: number, sets = 1): void {
  if (sets * decoderAttentionBytes(points) > WASM_HEAP_LIMIT_BYTES) throw outOfMemoryError();
}

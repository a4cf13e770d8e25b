/**
 * SAM2's memory bank as pure code: which memories and object pointers a frame attends to (the
 * reference's choice by frame distance), and their plan in contract 1A's fixed-shape inputs (padding
 * happens only there). The shared video contract (shared/docs/video-contract) §1A "Bank layout" and §2 `track_step`.
 */

/** SAM2's `num_maskmem`: one conditioning slot and six recent ones. */
export const NUM_MASKMEM = 7;
/** SAM2's `max_obj_ptrs_in_encoder`. */
export const MAX_POINTERS = 16;
/** Memory channels (mem_dim); a 256-float object pointer becomes 256 / 64 = 4 memory rows. */
export const MEM_DIM = 64;
export const POINTER_DIM = 256;
export const POINTER_ROWS = POINTER_DIM / MEM_DIM;

/** One frame's memory for one object; the selection below only reads its frame index. */
export interface MemoryEntry {
  readonly frameIndex: number;
}

/** A spatial memory chosen for a frame, with its row of the temporal-encoding table. */
export interface Slot<E extends MemoryEntry = MemoryEntry> {
  readonly entry: E;
  /** Row of `memory_temporal_positional_encoding`: 6 for the conditioning frame, r − 1 for the frame r away. */
  readonly tposRow: number;
}

export interface PointerChoice<E extends MemoryEntry = MemoryEntry> {
  readonly entry: E;
  /** Absolute frame distance to the current frame. */
  readonly distance: number;
}

/** The conditioning frame nearest to `t` (ties: the earlier one). */
export function nearestCond<E extends MemoryEntry>(t: number, cond: ReadonlyMap<number, E>): E | undefined {
  let best: E | undefined;
  for (const e of cond.values()) {
    const d = Math.abs(e.frameIndex - t);
    if (!best || d < Math.abs(best.frameIndex - t) || (d === Math.abs(best.frameIndex - t) && e.frameIndex < best.frameIndex)) best = e;
  }
  return best;
}

/**
 * Spatial memories for frame `t`: the nearest conditioning frame (slot 0, tpos row 6), then for
 * r = 1…6 the frame r before `t` (after, in reverse) if it has a memory (tpos row r − 1). Absent
 * frames are skipped, not padded.
 */
export function selectSlots<E extends MemoryEntry>(t: number, reverse: boolean, cond: ReadonlyMap<number, E>, noncond: ReadonlyMap<number, E>): Slot<E>[] {
  const c = nearestCond(t, cond);
  const slots: Slot<E>[] = c ? [{ entry: c, tposRow: NUM_MASKMEM - 1 }] : [];
  for (let r = 1; r < NUM_MASKMEM; r++) {
    const f = reverse ? t + r : t - r;
    const e = noncond.get(f) ?? (f !== c?.frameIndex ? cond.get(f) : undefined);
    if (e) slots.push({ entry: e, tposRow: r - 1 });
  }
  return slots;
}

/**
 * Object pointers for frame `t`: conditioning frames on the side tracking comes from (nearest
 * first), then the frames 1 … min(N, 16) − 1 away that have an output, stopping at the video's
 * edge; at most 16. `totalFrames` is the clip length (16 or more for a stream).
 */
export function selectPointers<E extends MemoryEntry>(t: number, reverse: boolean, cond: ReadonlyMap<number, E>, noncond: ReadonlyMap<number, E>, totalFrames: number): PointerChoice<E>[] {
  const past = (f: number) => (reverse ? f >= t : f <= t);
  const out: PointerChoice<E>[] = [...cond.values()]
    .filter((e) => past(e.frameIndex))
    .map((entry) => ({ entry, distance: Math.abs(t - entry.frameIndex) }))
    .sort((a, b) => a.distance - b.distance);
  const condFrames = new Set(out.map((p) => p.entry.frameIndex));
  const limit = Math.min(totalFrames, MAX_POINTERS);
  for (let d = 1; d < limit; d++) {
    const f = reverse ? t + d : t - d;
    if (f < 0 || f >= totalFrames) break;
    const e = noncond.get(f) ?? (condFrames.has(f) ? undefined : cond.get(f));
    if (e) out.push({ entry: e, distance: d });
  }
  return out.slice(0, MAX_POINTERS);
}

/** `span` of the pointer distances: max(1, min(N, 16) − 1). */
export function pointerSpan(totalFrames: number): number {
  return Math.max(1, Math.min(totalFrames, MAX_POINTERS) - 1);
}

/** pointer_tpos's input [16]: each pointer's distance / span, padded by repeating the last. */
export function normalizedDiffs(pointers: readonly PointerChoice[], totalFrames: number): Float32Array {
  const span = pointerSpan(totalFrames);
  const out = new Float32Array(MAX_POINTERS);
  for (let i = 0; i < MAX_POINTERS; i++) {
    const p = pointers[Math.min(i, pointers.length - 1)];
    out[i] = p ? p.distance / span : 0;
  }
  return out;
}

/** What a frame's fixed-shape bank holds, slot by slot and pointer by pointer, padding included. */
export interface BankPlan<E> {
  /** 7 memories: the chosen slots, then the newest memory (the first recent slot, else the conditioning one) repeated. */
  readonly slots: readonly E[];
  /** Each slot's row of the temporal-encoding table. */
  readonly tposRows: readonly number[];
  /** 16 object pointers: the chosen ones, then the last one repeated. */
  readonly pointers: readonly E[];
}

/**
 * The layout of memory and memory_pos, [7T + 64, 1, 64] each (the assembly itself is a graph,
 * lib/video/bank-graph.ts, so that it runs where the memories live):
 * - rows s·T … (s+1)·T − 1: slot s's tokens, and its pos plus its tpos row on every token;
 * - rows 7T + 4i … 7T + 4i + 3: pointer i split into 4 rows of 64 (ptr[0:64], ptr[64:128], …), each
 *   with pointer_pos row i (pointer_tpos runs on the padded diffs, so padding repeats it too).
 * Padding happens only here.
 */
export function planBank<E extends { readonly frameIndex: number }>(slots: readonly Slot<E>[], pointers: readonly PointerChoice<E>[]): BankPlan<E> {
  if (slots.length === 0 || pointers.length === 0) throw new RangeError('a memory bank needs at least one memory and one pointer');
  const newest = slots[1] ?? slots[0]!;
  const padded = Array.from({ length: NUM_MASKMEM }, (_, s) => slots[s] ?? newest);
  return {
    slots: padded.map((s) => s.entry),
    tposRows: padded.map((s) => s.tposRow),
    pointers: Array.from({ length: MAX_POINTERS }, (_, i) => pointers[Math.min(i, pointers.length - 1)]!.entry),
  };
}

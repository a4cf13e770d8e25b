/**
 * The memory bank's assembly as a tiny ONNX graph, built at load for the export's geometry and run on
 * the same execution provider as the video graphs. On WebGPU the memories (memory_encoder's outputs,
 * the decoder's object pointers), the frame's features and pointer_tpos's output stay in GPU buffers:
 * this graph concatenates the planned slots on the GPU and feeds memory_attention with no read-back.
 * The same graph runs on WASM, so the fixture tests pin it there byte for byte.
 *
 * Inputs (float32): `feats2`, `vision_pos` [1, 256, F, F]; `slot{s}_tokens`, `slot{s}_pos` [T, 1, 64]
 * for s = 0…6 (padding repeats a tensor); `slot_tpos` [7, 1, 64] (each slot's temporal-encoding row);
 * `pointer{i}` [1, 1, 256] for i = 0…15; `pointer_pos` [16, 64].
 * Outputs: `vision_tokens`, `vision_pos_tokens` [T, 1, 256] (row p = y·F + x); `memory`, `memory_pos`
 * [7T + 64, 1, 64] in the layout of bank.ts's `planBank`.
 */
import { writeOnnxModel, type NodeSpec } from '../models/onnx-writer.js';
import { MAX_POINTERS, MEM_DIM, NUM_MASKMEM, POINTER_DIM, POINTER_ROWS } from './bank.js';

/** The hidden width of the frame features (SAM2's `hidden_dim`). */
const HIDDEN = 256;

export const BANK_GRAPH = {
  feats: 'feats2',
  pos: 'vision_pos',
  slotTokens: (s: number) => `slot${s}_tokens`,
  slotPos: (s: number) => `slot${s}_pos`,
  slotTpos: 'slot_tpos',
  pointer: (i: number) => `pointer${i}`,
  pointerPos: 'pointer_pos',
  outputs: { feats: 'vision_tokens', pos: 'vision_pos_tokens', memory: 'memory', memoryPos: 'memory_pos' },
} as const;

/** The assembly graph for F×F feature maps (T = F² tokens). */
export function bankGraph(F: number): Uint8Array {
  const T = F * F;
  const R = NUM_MASKMEM * T + MAX_POINTERS * POINTER_ROWS;
  const slots = Array.from({ length: NUM_MASKMEM }, (_, s) => s);
  const ptrs = Array.from({ length: MAX_POINTERS }, (_, i) => i);
  const o = BANK_GRAPH.outputs;
  const nodes: NodeSpec[] = [
    // NCHW → token-major.
    { op: 'Reshape', inputs: [BANK_GRAPH.feats, 'shape_1_c_t'], output: 'feats_flat' },
    { op: 'Transpose', inputs: ['feats_flat'], output: o.feats, attrs: { perm: [2, 0, 1] } },
    { op: 'Reshape', inputs: [BANK_GRAPH.pos, 'shape_1_c_t'], output: 'pos_flat' },
    { op: 'Transpose', inputs: ['pos_flat'], output: o.pos, attrs: { perm: [2, 0, 1] } },
    // Spatial memories and their positions plus the slot's temporal row.
    { op: 'Concat', inputs: slots.map(BANK_GRAPH.slotTokens), output: 'spatial', attrs: { axis: 0 } },
    { op: 'Concat', inputs: slots.map(BANK_GRAPH.slotPos), output: 'spatial_pos_flat', attrs: { axis: 0 } },
    { op: 'Reshape', inputs: ['spatial_pos_flat', 'shape_slots'], output: 'spatial_pos_slots' },
    { op: 'Add', inputs: ['spatial_pos_slots', BANK_GRAPH.slotTpos], output: 'spatial_pos_t' },
    { op: 'Reshape', inputs: ['spatial_pos_t', 'shape_spatial'], output: 'spatial_pos' },
    // Pointers: each 256-float pointer becomes 4 rows of 64; its position row repeats on all 4.
    { op: 'Concat', inputs: ptrs.map(BANK_GRAPH.pointer), output: 'pointers', attrs: { axis: 0 } },
    { op: 'Reshape', inputs: ['pointers', 'shape_pointer_rows'], output: 'pointer_rows' },
    { op: 'Reshape', inputs: [BANK_GRAPH.pointerPos, 'shape_pointer_pos'], output: 'pointer_pos_3d' },
    { op: 'Expand', inputs: ['pointer_pos_3d', 'shape_pointer_pos_rows'], output: 'pointer_pos_4' },
    { op: 'Reshape', inputs: ['pointer_pos_4', 'shape_pointer_rows'], output: 'pointer_pos_rows' },
    { op: 'Concat', inputs: ['spatial', 'pointer_rows'], output: o.memory, attrs: { axis: 0 } },
    { op: 'Concat', inputs: ['spatial_pos', 'pointer_pos_rows'], output: o.memoryPos, attrs: { axis: 0 } },
  ];
  return writeOnnxModel({
    name: `sam2_bank_${F}`,
    inputs: [
      { name: BANK_GRAPH.feats, dims: [1, HIDDEN, F, F] },
      { name: BANK_GRAPH.pos, dims: [1, HIDDEN, F, F] },
      ...slots.flatMap((s) => [
        { name: BANK_GRAPH.slotTokens(s), dims: [T, 1, MEM_DIM] },
        { name: BANK_GRAPH.slotPos(s), dims: [T, 1, MEM_DIM] },
      ]),
      { name: BANK_GRAPH.slotTpos, dims: [NUM_MASKMEM, 1, MEM_DIM] },
      ...ptrs.map((i) => ({ name: BANK_GRAPH.pointer(i), dims: [1, 1, POINTER_DIM] })),
      { name: BANK_GRAPH.pointerPos, dims: [MAX_POINTERS, MEM_DIM] },
    ],
    outputs: [
      { name: o.feats, dims: [T, 1, HIDDEN] },
      { name: o.pos, dims: [T, 1, HIDDEN] },
      { name: o.memory, dims: [R, 1, MEM_DIM] },
      { name: o.memoryPos, dims: [R, 1, MEM_DIM] },
    ],
    int64s: {
      shape_1_c_t: [1, HIDDEN, T],
      shape_slots: [NUM_MASKMEM, T, MEM_DIM],
      shape_spatial: [NUM_MASKMEM * T, 1, MEM_DIM],
      shape_pointer_rows: [MAX_POINTERS * POINTER_ROWS, 1, MEM_DIM],
      shape_pointer_pos: [MAX_POINTERS, 1, MEM_DIM],
      shape_pointer_pos_rows: [MAX_POINTERS, POINTER_ROWS, MEM_DIM],
    },
    nodes,
  });
}

/**
 * The pure parts of SAM2's automatic mask generator (facebookresearch/sam2
 * `sam2/automatic_mask_generator.py`, `sam2/utils/amg.py`): point grids, crop boxes, stability
 * scores, mask boxes, crop-edge filtering, box NMS (torchvision `batched_nms` with one category),
 * uncompressed RLE, and the predictor's hole and sprinkle removal. No I/O, no onnxruntime.
 *
 * Numbers follow the reference's dtypes: logits, IoU and stability scores are float32 and compared
 * against thresholds cast to float32; box IoU in NMS is computed in float32 and compared in double.
 */

/** `[x0, y0, x1, y1]`; for mask boxes x1/y1 are the last covered pixel (inclusive), as `batched_mask_to_box`. */
export type BoxXYXY = [number, number, number, number];

/**
 * `build_point_grid`: n×n points evenly spaced in [0, 1]², row by row (x varies fastest), as
 * `np.linspace(1/(2n), 1 - 1/(2n), n)` computes them. Flat `[x0, y0, x1, y1, …]`.
 */
export function buildPointGrid(n: number): Float64Array {
  const offset = 1 / (2 * n);
  const stop = 1 - offset;
  const side = new Float64Array(n);
  const step = (stop - offset) / (n - 1);
  for (let i = 0; i < n; i++) side[i] = n > 1 ? i * step + offset : offset;
  if (n > 1) side[n - 1] = stop;
  const out = new Float64Array(n * n * 2);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      out[2 * (y * n + x)] = side[x]!;
      out[2 * (y * n + x) + 1] = side[y]!;
    }
  }
  return out;
}

/** `build_all_layer_point_grids`: layer i has `int(n / scale**i)` points per side. */
export function buildAllLayerPointGrids(n: number, layers: number, scalePerLayer: number): Float64Array[] {
  return Array.from({ length: layers + 1 }, (_, i) => buildPointGrid(Math.trunc(n / scalePerLayer ** i)));
}

/** `generate_crop_boxes`: the whole image (layer 0), then (2^i)² overlapping crops for layer i. */
export function generateCropBoxes(width: number, height: number, layers: number, overlapRatio: number): { boxes: BoxXYXY[]; layerIdxs: number[] } {
  const boxes: BoxXYXY[] = [[0, 0, width, height]];
  const layerIdxs = [0];
  const shortSide = Math.min(width, height);
  const cropLen = (len: number, n: number, overlap: number) => Math.ceil((overlap * (n - 1) + len) / n);
  for (let layer = 0; layer < layers; layer++) {
    const perSide = 2 ** (layer + 1);
    const overlap = Math.trunc(overlapRatio * shortSide * (2 / perSide));
    const cropW = cropLen(width, perSide, overlap);
    const cropH = cropLen(height, perSide, overlap);
    const x0s = Array.from({ length: perSide }, (_, i) => Math.trunc((cropW - overlap) * i));
    const y0s = Array.from({ length: perSide }, (_, i) => Math.trunc((cropH - overlap) * i));
    // itertools.product(x0s, y0s): x outer, y inner.
    for (const x0 of x0s) {
      for (const y0 of y0s) {
        boxes.push([x0, y0, Math.min(x0 + cropW, width), Math.min(y0 + cropH, height)]);
        layerIdxs.push(layer + 1);
      }
    }
  }
  return { boxes, layerIdxs };
}

/**
 * `calculate_stability_score` of one mask's logits (`length` values from `offset`): the IoU of the
 * masks thresholded at `threshold ± thresholdOffset`, as float32. NaN when nothing exceeds the low cut.
 */
export function stabilityScore(logits: Float32Array, threshold: number, thresholdOffset: number, offset = 0, length = logits.length - offset): number {
  const high = Math.fround(threshold + thresholdOffset);
  const low = Math.fround(threshold - thresholdOffset);
  let inter = 0;
  let union = 0;
  for (let i = offset, end = offset + length; i < end; i++) {
    const v = logits[i]!;
    if (v > high) inter++;
    if (v > low) union++;
  }
  return Math.fround(inter / union);
}

/** `batched_mask_to_box` of one H×W binary mask: inclusive pixel bounds, `[0, 0, 0, 0]` when empty. */
export function maskBox(mask: ArrayLike<number>, width: number, height: number): BoxXYXY {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if (mask[row + x]) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    if (y < y0) y0 = y;
    y1 = y;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
  }
  return x1 < 0 ? [0, 0, 0, 0] : [x0, y0, x1, y1];
}

/** `uncrop_boxes_xyxy` for one box. */
export function uncropBox(box: BoxXYXY, crop: BoxXYXY): BoxXYXY {
  return [box[0] + crop[0], box[1] + crop[1], box[2] + crop[0], box[3] + crop[1]];
}

/**
 * `is_box_near_crop_edge`: a side of the (uncropped) box within `atol` of the crop's side, but not
 * within `atol` of the image's.
 */
export function isBoxNearCropEdge(box: BoxXYXY, crop: BoxXYXY, orig: BoxXYXY, atol = 20): boolean {
  const b = uncropBox(box, crop).map(Math.fround);
  const near = (a: number, c: number) => Math.abs(a - Math.fround(c)) <= atol;
  return b.some((v, k) => near(v, crop[k]!) && !near(v, orig[k]!));
}

/**
 * torchvision `nms` (what `batched_nms` does with one category): boxes in descending score order
 * (stable, so ties keep index order), each kept unless a kept box overlaps it with IoU > `threshold`.
 * Returns the kept indices, best score first. IoU is computed in float32, as on float boxes.
 */
export function boxNms(boxes: readonly BoxXYXY[], scores: ArrayLike<number>, threshold: number): number[] {
  const f = Math.fround;
  const n = boxes.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const area = boxes.map(([x0, y0, x1, y1]) => f(f(f(x1) - f(x0)) * f(f(y1) - f(y0))));
  const suppressed = new Uint8Array(n);
  const keep: number[] = [];
  for (let oi = 0; oi < n; oi++) {
    const i = order[oi]!;
    if (suppressed[i]) continue;
    keep.push(i);
    const [ix0, iy0, ix1, iy1] = boxes[i]!;
    for (let oj = oi + 1; oj < n; oj++) {
      const j = order[oj]!;
      if (suppressed[j]) continue;
      const [jx0, jy0, jx1, jy1] = boxes[j]!;
      const w = Math.max(0, f(Math.min(ix1, jx1) - Math.max(ix0, jx0)));
      const h = Math.max(0, f(Math.min(iy1, jy1) - Math.max(iy0, jy0)));
      const inter = f(w * h);
      const iou = f(inter / f(f(area[i]! + area[j]!) - inter));
      if (iou > threshold) suppressed[j] = 1;
    }
  }
  return keep;
}

/**
 * `mask_to_rle_pytorch` of an H×W mask placed at `crop` in an `imageWidth`×`imageHeight` image
 * (`uncrop_masks` pads with zeros): column-major run lengths, starting with a zero run.
 */
export function maskToRle(mask: ArrayLike<number>, width: number, height: number, crop: BoxXYXY, imageWidth: number, imageHeight: number): number[] {
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  const [cx, cy] = crop;
  const push = (v: number, k: number) => {
    if (v !== current) {
      counts.push(run);
      run = 0;
      current = v;
    }
    run += k;
  };
  for (let x = 0; x < imageWidth; x++) {
    const mx = x - cx;
    if (mx < 0 || mx >= width) {
      push(0, imageHeight);
      continue;
    }
    if (cy > 0) push(0, cy);
    for (let y = 0; y < height; y++) push(mask[y * width + mx] ? 1 : 0, 1);
    if (cy + height < imageHeight) push(0, imageHeight - cy - height);
  }
  counts.push(run);
  return counts;
}

/** `area_from_rle`: the sum of the foreground runs. */
export function areaFromRle(counts: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < counts.length; i += 2) area += counts[i]!;
  return area;
}

/** `rle_to_mask`: an H×W 0/1 mask, row-major, from column-major counts. */
export function rleToMask(counts: readonly number[], width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  let idx = 0;
  let value = 0;
  for (const c of counts) {
    if (value) {
      for (let k = idx; k < idx + c; k++) mask[(k % height) * width + Math.floor(k / height)] = 1;
    }
    idx += c;
    value ^= 1;
  }
  return mask;
}

/**
 * 8-connected components of the set pixels of a W×H binary image: per pixel, the area of its
 * component (0 for unset pixels), as SAM2's `get_connected_components` reports it.
 */
export function componentAreas(binary: Uint8Array, width: number, height: number): Int32Array {
  const label = new Int32Array(width * height).fill(-1);
  const areas: number[] = [];
  const stack: number[] = [];
  for (let start = 0; start < binary.length; start++) {
    if (!binary[start] || label[start]! >= 0) continue;
    const id = areas.length;
    let area = 0;
    label[start] = id;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      area++;
      const px = p % width;
      const py = (p - px) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const y = py + dy;
        if (y < 0 || y >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const x = px + dx;
          if (x < 0 || x >= width) continue;
          const q = y * width + x;
          if (binary[q] && label[q]! < 0) {
            label[q] = id;
            stack.push(q);
          }
        }
      }
    }
    areas.push(area);
  }
  const out = new Int32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = label[i]! >= 0 ? areas[label[i]!]! : 0;
  return out;
}

/**
 * `SAM2Transforms.postprocess_masks` with `max_hole_area` and `max_sprinkle_area` (the automatic
 * generator passes `min_mask_region_area` for both), on one low-res plane in place: background
 * components of at most `maxHoleArea` pixels become `threshold + 10`, then foreground components of
 * at most `maxSprinkleArea` pixels become `threshold - 10`.
 */
export function fillHolesAndSprinkles(plane: Float32Array, width: number, height: number, maxHoleArea: number, maxSprinkleArea: number, threshold = 0): void {
  const t = Math.fround(threshold);
  const pass = (select: (v: number) => boolean, maxArea: number, value: number) => {
    const binary = Uint8Array.from(plane, (v) => (select(v) ? 1 : 0));
    const areas = componentAreas(binary, width, height);
    for (let i = 0; i < plane.length; i++) if (binary[i] && areas[i]! <= maxArea) plane[i] = value;
  };
  if (maxHoleArea > 0) pass((v) => v <= t, maxHoleArea, Math.fround(threshold + 10));
  if (maxSprinkleArea > 0) pass((v) => v > t, maxSprinkleArea, Math.fround(threshold - 10));
}

/** `batch_iterator`: consecutive slices of at most `size` items. */
export function batches(count: number, size: number): Array<[start: number, end: number]> {
  const out: Array<[number, number]> = [];
  for (let s = 0; s < count; s += size) out.push([s, Math.min(count, s + size)]);
  return out;
}

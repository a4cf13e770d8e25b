/**
 * Resampling kernels with the reference semantics, on planar float32 data.
 *
 * - {@link resizeAntialiased}: torchvision 0.18 `Resize(antialias=True)` on a float tensor, which is
 *   Pillow's separable triangle filter: the support widens with the downscale factor, so shrinking
 *   averages every source pixel; enlarging is plain bilinear. Width is resampled first, then height.
 * - {@link upsampleBilinear}: `F.interpolate(mode="bilinear", align_corners=False)` with no
 *   antialias, as used to bring 256×256 mask logits to the image size.
 */

/** Per output index: the first source index, the number of taps, and normalized weights. */
interface Taps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  /** `count[i]` weights at `weights[i * stride …]`. */
  readonly weights: Float32Array;
  readonly stride: number;
}

function antialiasTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const support = scale >= 1 ? scale : 1;
  const invScale = scale >= 1 ? 1 / scale : 1;
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * stride);
  for (let i = 0; i < outSize; i++) {
    const center = scale * (i + 0.5);
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xsize = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let j = 0; j < xsize; j++) {
      const w = Math.max(0, 1 - Math.abs((j + xmin - center + 0.5) * invScale));
      weights[i * stride + j] = w;
      total += w;
    }
    for (let j = 0; j < xsize; j++) weights[i * stride + j] = total === 0 ? 0 : weights[i * stride + j]! / total;
    start[i] = xmin;
    count[i] = xsize;
  }
  return { start, count, weights, stride };
}

/**
 * Resizes `channels` planes of `inW×inH` (planar, plane after plane) to `outW×outH` with the
 * antialiased triangle filter. Returns planar float32 data.
 */
export function resizeAntialiased(
  src: Float32Array,
  size: { channels: number; inW: number; inH: number; outW: number; outH: number },
  /** Round and clip each pass to 0…255, as Pillow does on 8-bit images. */
  uint8 = false,
): Float32Array {
  const { channels, inW, inH, outW, outH } = size;
  const q = uint8 ? (v: number) => Math.min(255, Math.max(0, Math.round(v))) : (v: number) => v;
  const tx = antialiasTaps(inW, outW);
  const ty = antialiasTaps(inH, outH);
  const tmp = new Float32Array(outW * inH);
  const out = new Float32Array(channels * outW * outH);
  for (let c = 0; c < channels; c++) {
    const plane = c * inW * inH;
    for (let y = 0; y < inH; y++) {
      const row = plane + y * inW;
      for (let x = 0; x < outW; x++) {
        const s = row + tx.start[x]!;
        const n = tx.count[x]!;
        const wo = x * tx.stride;
        let acc = 0;
        for (let j = 0; j < n; j++) acc += src[s + j]! * tx.weights[wo + j]!;
        tmp[y * outW + x] = q(acc);
      }
    }
    const outPlane = c * outW * outH;
    for (let y = 0; y < outH; y++) {
      const s = ty.start[y]!;
      const n = ty.count[y]!;
      const wo = y * ty.stride;
      const dst = outPlane + y * outW;
      for (let x = 0; x < outW; x++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += tmp[(s + j) * outW + x]! * ty.weights[wo + j]!;
        out[dst + x] = q(acc);
      }
    }
  }
  return out;
}

/** Source index pairs and weights of align_corners=False bilinear along one axis. */
interface Lerp {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly l1: Float32Array;
}

function lerpAxis(inSize: number, outSize: number, count: number): Lerp {
  // torch computes the scale and source index in float32 for float32 tensors.
  const scale = Math.fround(inSize / outSize);
  const i0 = new Int32Array(count);
  const i1 = new Int32Array(count);
  const l1 = new Float32Array(count);
  for (let d = 0; d < count; d++) {
    const real = Math.max(Math.fround(Math.fround(scale * (d + 0.5)) - 0.5), 0);
    const idx = Math.min(Math.floor(real), inSize - 1);
    i0[d] = idx;
    i1[d] = Math.min(idx + 1, inSize - 1);
    l1[d] = Math.min(Math.max(real - idx, 0), 1);
  }
  return { i0, i1, l1 };
}

/** Sizes and buffers for {@link upsampleBilinear}. */
export interface UpsampleSpec {
  readonly inW: number;
  readonly inH: number;
  /** The virtual output grid the source is stretched over. */
  readonly outW: number;
  readonly outH: number;
  /** Only the top-left cropW×cropH region of the grid is computed (default: all of it). */
  readonly cropW?: number;
  readonly cropH?: number;
  /** Where the plane starts in `src` (default 0). */
  readonly srcOffset?: number;
  /** Write into this buffer at `outOffset` instead of a new one. */
  readonly out?: Float32Array;
  readonly outOffset?: number;
}

/**
 * Bilinear `align_corners=False` resampling of one `inW×inH` plane to a virtual `outW×outH` grid,
 * computing only its top-left crop region. Returns the buffer written.
 *
 * Separable: each source row an output row needs is interpolated along x once (in float64), and each
 * output row blends two of those. The arithmetic is the direct formula's,
 * `h0·(w0·a + w1·b) + h1·(w0·c + w1·d)` in float64, so results are identical to it.
 */
export function upsampleBilinear(src: Float32Array, spec: UpsampleSpec): Float32Array {
  const { inW, inH, outW, outH, srcOffset = 0, outOffset = 0 } = spec;
  const cropW = spec.cropW ?? outW;
  const cropH = spec.cropH ?? outH;
  const out = spec.out ?? new Float32Array(cropW * cropH);
  if (inW === outW && inH === outH) {
    // Scale 1: every weight is 0, a copy.
    for (let y = 0; y < cropH; y++) out.set(src.subarray(srcOffset + y * inW, srcOffset + y * inW + cropW), outOffset + y * cropW);
    return out;
  }
  const ax = lerpAxis(inW, outW, cropW);
  const ay = lerpAxis(inH, outH, cropH);
  // Two source rows interpolated along x. Output rows walk the source rows in order, so each
  // source row is interpolated once.
  const slots = [new Float64Array(cropW), new Float64Array(cropW)] as const;
  const held = [-1, -1];
  const row = (r: number, keep: number): Float64Array => {
    if (held[0] === r) return slots[0];
    if (held[1] === r) return slots[1];
    const k = held[0] === keep ? 1 : 0;
    const buf = slots[k];
    held[k] = r;
    const s = srcOffset + r * inW;
    for (let x = 0; x < cropW; x++) {
      const w1 = ax.l1[x]!;
      buf[x] = (1 - w1) * src[s + ax.i0[x]!]! + w1 * src[s + ax.i1[x]!]!;
    }
    return buf;
  };
  for (let y = 0; y < cropH; y++) {
    const a = row(ay.i0[y]!, ay.i1[y]!);
    const b = row(ay.i1[y]!, ay.i0[y]!);
    const h1 = ay.l1[y]!;
    const h0 = 1 - h1;
    const o = outOffset + y * cropW;
    for (let x = 0; x < cropW; x++) out[o + x] = h0 * a[x]! + h1 * b[x]!;
  }
  return out;
}

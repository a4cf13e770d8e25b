import { describe, expect, it } from 'vitest';
import { resizeAntialiased, upsampleBilinear } from '../../lib/pipeline/resize.js';
import { geometryFor, preprocess } from '../../lib/pipeline/preprocess.js';
import { reference } from '../golden/reference.js';

describe('resizeAntialiased', () => {
  const { src, cases } = reference.resize_f;
  it.each(cases.map((c) => [`${src.w}×${src.h} → ${c.w}×${c.h}`, c] as const))('matches Pillow float resampling, %s', (_, c) => {
    const out = resizeAntialiased(Float32Array.from(src.data), { channels: 1, inW: src.w, inH: src.h, outW: c.w, outH: c.h });
    let maxErr = 0;
    c.data.forEach((v, i) => (maxErr = Math.max(maxErr, Math.abs(v - out[i]!))));
    expect(maxErr).toBeLessThan(1e-3); // values are 0–255: float32 rounding only
  });

  const rgb = reference.resize_rgb;
  it.each(rgb.cases.map((c) => [`${rgb.src.w}×${rgb.src.h} → ${c.w}×${c.h}`, c] as const))('matches Pillow 8-bit RGB resampling within 1 level, %s', (_, c) => {
    const { w, h, data } = rgb.src;
    const planar = new Float32Array(3 * w * h);
    for (let i = 0; i < w * h; i++) for (let ch = 0; ch < 3; ch++) planar[ch * w * h + i] = data[3 * i + ch]!;
    const out = resizeAntialiased(planar, { channels: 3, inW: w, inH: h, outW: c.w, outH: c.h }, true);
    let off = 0;
    for (let i = 0; i < c.w * c.h; i++) {
      for (let ch = 0; ch < 3; ch++) {
        const d = Math.abs(c.data[3 * i + ch]! - out[ch * c.w * c.h + i]!);
        expect(d).toBeLessThanOrEqual(1);
        off += d;
      }
    }
    expect(off / (c.w * c.h * 3)).toBeLessThan(0.05); // nearly all exact: Pillow's fixed point vs float
  });
});

describe('upsampleBilinear (align_corners=False)', () => {
  it('reproduces a linear ramp exactly away from the clamped edges', () => {
    const src = Float32Array.from({ length: 16 }, (_, i) => i % 4); // value = x on a 4×4 grid
    const out = upsampleBilinear(src, { inW: 4, inH: 4, outW: 8, outH: 8 });
    // dst x maps to src (x + 0.5) / 2 - 0.5, clamped to [0, 3].
    const expected = [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3];
    for (let y = 0; y < 8; y++) expect(Array.from(out.subarray(y * 8, y * 8 + 8))).toEqual(expected);
  });

  it('computes only the requested crop of the virtual grid', () => {
    const src = Float32Array.from({ length: 16 }, (_, i) => Math.floor(i / 4) * 10 + (i % 4));
    const full = upsampleBilinear(src, { inW: 4, inH: 4, outW: 16, outH: 16 });
    const crop = upsampleBilinear(src, { inW: 4, inH: 4, outW: 16, outH: 16, cropW: 5, cropH: 3 });
    for (let y = 0; y < 3; y++) for (let x = 0; x < 5; x++) expect(crop[y * 5 + x]).toBe(full[y * 16 + x]);
  });
});

describe('preprocess', () => {
  const image = (w: number, h: number, rgb: [number, number, number]) => {
    const data = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) data.set([...rgb, 255], i * 4);
    return { data, width: w, height: h, channels: 4 as const };
  };

  it('SAM2 stretches to 1024×1024 and applies ImageNet mean/std on [0, 1] values', () => {
    const { tensor, geometry } = preprocess(image(300, 200, [255, 0, 128]), 'sam2');
    expect(geometry).toMatchObject({ resizedWidth: 1024, resizedHeight: 1024 });
    const plane = 1024 * 1024;
    expect(tensor[0]).toBeCloseTo((1 - 0.485) / 0.229, 5);
    expect(tensor[plane + 5000]).toBeCloseTo((0 - 0.456) / 0.224, 5);
    expect(tensor[2 * plane + plane - 1]).toBeCloseTo((128 / 255 - 0.406) / 0.225, 5);
  });

  it('SAM1 resizes the longest side to 1024 and zero-pads bottom and right', () => {
    const { tensor, geometry } = preprocess(image(300, 200, [10, 20, 30]), 'sam1');
    expect(geometry).toMatchObject({ resizedWidth: 1024, resizedHeight: 683 });
    expect(tensor[682 * 1024 + 1023]).toBeCloseTo((10 - 123.675) / 58.395, 5);
    expect(tensor[683 * 1024]).toBe(0);
    expect(tensor[2 * 1024 * 1024 + 1023 * 1024]).toBe(0);
  });

  it('SAM1 geometry rounds like ResizeLongestSide', () => {
    expect(geometryFor('sam1', 1000, 333)).toMatchObject({ resizedWidth: 1024, resizedHeight: 341 });
    expect(geometryFor('sam1', 1, 3000)).toMatchObject({ resizedWidth: 1, resizedHeight: 1024 }); // never 0 wide
  });
});

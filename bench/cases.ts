/** The benchmark's prompts and statistics, shared by the browser page and the Node run. */
import type { SegmentAnything2Request } from '../lib/types.js';

export const WIDTH = 1024;
export const HEIGHT = 768;

export type Prompt = Omit<SegmentAnything2Request, 'image'>;

/** The prompt kinds of the per-case table; `i` moves the prompt so no two runs are identical. */
export const PROMPTS: Record<string, (i: number) => Prompt> = {
  '1 point': (i) => ({ point_coords: [[300 + (i % 7) * 9, 260 + (i % 5) * 7]], point_labels: [1] }),
  '5 points': (i) => ({
    point_coords: [[300 + (i % 7) * 5, 260], [330, 280 + (i % 5) * 3], [280, 240], [310, 300], [700, 600]],
    point_labels: [1, 1, 1, 1, 0],
  }),
  box: (i) => ({ box: [[180 + (i % 7) * 3, 140, 440, 400 - (i % 5) * 3]] }),
  'box + points': (i) => ({ box: [[180, 140 + (i % 7) * 3, 440, 400]], point_coords: [[300 + (i % 5) * 4, 260], [700, 600]], point_labels: [1, 0] }),
};

/** A deterministic 1024×768 RGBA scene: shapes on a textured ground, moved by `seed`. */
export function scene(seed = 0): { data: Uint8Array; width: number; height: number; channels: 4 } {
  const data = new Uint8Array(WIDTH * HEIGHT * 4);
  const cx = 310 + seed * 17, cy = 270 + seed * 11;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const n = ((x * 73856093) ^ (y * 19349663) ^ (seed * 83492791)) >>> 0;
      let rgb = [120 + 30 * Math.sin(x / 9) * Math.cos(y / 11) + ((n % 17) - 8), 0, 0];
      rgb = [rgb[0]!, rgb[0]! + 5, rgb[0]! - 5];
      if ((x - cx) ** 2 + (y - cy) ** 2 < 120 ** 2) rgb = [200, 40, 40];
      else if (x > 600 && x < 900 && y > 450 && y < 700) rgb = [40, 60, 190];
      else if (((x - 800) / 150) ** 2 + ((y - 200) / 90) ** 2 < 1) rgb = [40, 170, 60];
      data.set([rgb[0]!, rgb[1]!, rgb[2]!, 255], (y * WIDTH + x) * 4);
    }
  }
  return { data, width: WIDTH, height: HEIGHT, channels: 4 };
}

export interface Summary {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly mean: number;
}

/** Nearest-rank percentiles of a sample, in its unit. */
export function summarize(xs: readonly number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  const round = (v: number) => Math.round(v * 100) / 100;
  return { n: s.length, p50: round(rank(50)), p95: round(rank(95)), mean: round(s.reduce((a, b) => a + b, 0) / s.length) };
}

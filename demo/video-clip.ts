/** A generated sample clip for the Video tab (and its test): a red disk moving over a grey texture. */
export function diskClip(frames = 4, width = 256, height = 192): ImageData[] {
  return Array.from({ length: frames }, (_, t) => {
    const data = new Uint8ClampedArray(width * height * 4);
    const cx = 70 + 14 * t;
    const cy = 80 + 6 * t;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = 4 * (y * width + x);
        const inside = (x - cx) ** 2 + (y - cy) ** 2 <= 34 ** 2;
        const v = 120 + 30 * Math.sin(x / 9) * Math.cos(y / 11);
        data.set(inside ? [220, 60, 40, 255] : [v, v + 5, v - 5, 255], i);
      }
    }
    return new ImageData(data, width, height);
  });
}

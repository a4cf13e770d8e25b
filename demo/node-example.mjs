// Segment an image file in Node with the embedded model and write the best mask as a PNG:
// node demo/node-example.mjs photo.png 120 100 mask.png
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { binaryMask, createSegmenter } from 'sam2-web';

const [file, x = '120', y = '100', out = 'mask.png'] = process.argv.slice(2);
const segmenter = await createSegmenter({ worker: false });
try {
  const response = await segmenter.segment(
    { image: new Blob([await readFile(file)]), point_coords: `[[${x},${y}]]`, point_labels: '[1]' },
    // 8 pixels a byte: a 2 MP photo's 3 masks take 0.8 MB, not 25 MB of floats (or 137 MB as JSON).
    { maskFormat: 'bits' },
  );
  console.log('scores', Array.from(response.scores.data));
  const mask = binaryMask(response.masks, 0); // the best-scoring mask, as 0/1 bytes
  const gray = mask.data.map((v) => v * 255); // black background, white object, opaque
  await sharp(gray, { raw: { width: mask.width, height: mask.height, channels: 1 } }).png().toFile(out);
  console.log(`wrote ${out} (${mask.width}×${mask.height})`);
} finally {
  await segmenter.close();
}

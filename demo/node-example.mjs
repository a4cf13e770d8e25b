// Segment an image file in Node with the embedded model: node demo/node-example.mjs photo.png 120 100
import { readFile } from 'node:fs/promises';
import { createSegmenter, toGatewayJSON } from 'sam2-web';

const [file, x = '120', y = '100'] = process.argv.slice(2);
const segmenter = await createSegmenter({ worker: false });
try {
  const response = await segmenter.segment({
    image: new Blob([await readFile(file)]),
    point_coords: `[[${x},${y}]]`,
    point_labels: '[1]',
  });
  console.log('scores', Array.from(response.scores.data));
  console.log('gateway JSON length', toGatewayJSON(response).length);
} finally {
  await segmenter.close();
}

/** Vitest global setup: writes the fixture ONNX models where the browser tests' server finds them. */
import { mkdir, writeFile } from 'node:fs/promises';
import { sam1Decoder, sam1Encoder, sam2Decoder, sam2Encoder } from '../fixtures/models.js';
import { videoFixture } from '../fixtures/video-models.js';

export const FIXTURE_DIR = 'test/fixtures/models';

export default async function setup(): Promise<void> {
  await mkdir(FIXTURE_DIR, { recursive: true });
  const files: Record<string, Uint8Array> = {
    'sam2-encoder.onnx': sam2Encoder(),
    'sam2-decoder.onnx': sam2Decoder(),
    'sam2-decoder-4tok.onnx': sam2Decoder(true),
    'sam1-encoder.onnx': sam1Encoder(),
    'sam1-decoder.onnx': sam1Decoder(),
  };
  // The contract-1A video fixture at S = 256, as an export's files (served to the browser tests).
  await mkdir(`${FIXTURE_DIR}/video-256`, { recursive: true });
  for (const [name, bytes] of Object.entries(videoFixture(256))) files[`video-256/${name}`] = bytes;
  await Promise.all(Object.entries(files).map(([name, bytes]) => writeFile(`${FIXTURE_DIR}/${name}`, bytes)));
}

/** Vitest global setup: writes the fixture ONNX models where the browser tests' server finds them. */
import { mkdir, writeFile } from 'node:fs/promises';
import { sam1Decoder, sam1Encoder, sam2Decoder, sam2Encoder } from '../fixtures/models.js';

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
  await Promise.all(Object.entries(files).map(([name, bytes]) => writeFile(`${FIXTURE_DIR}/${name}`, bytes)));
}

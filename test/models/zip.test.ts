/** The zip reader on archives built in the test: stored, deflated, data descriptors, Zip64, damage. */
import { randomBytes } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, extractZipEntry, listZipEntries } from '../../lib/models/zip.js';
import { expectSameBytes as expectBytes } from '../expect-bytes.js';
import { buildZip, type ZipInput } from '../fixtures/zip-builder.js';

const text = new TextEncoder();
/** Compressible bytes: a repeating ramp with some noise. */
const ramp = Uint8Array.from({ length: 200_000 }, (_, i) => (i % 251) ^ (i % 7 === 0 ? 0x55 : 0));
const noise = new Uint8Array(randomBytes(3_000_000));

const files: ZipInput[] = [
  { name: 'model.encoder.onnx', data: ramp },
  { name: 'model.decoder.onnx', data: text.encode('stored as is'), method: 0 },
  { name: 'empty.txt', data: new Uint8Array(), method: 8 },
  { name: 'dir/', data: new Uint8Array(), method: 0 },
  { name: 'dir/ünïcode name.bin', data: noise.subarray(0, 1000) },
];

/** The offset of the first central directory record. */
function centralOffset(zip: Uint8Array): number {
  return Buffer.from(zip).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
}

async function failure(p: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a rejection').toBeDefined();
  return err as { status: number; code: string; message: string };
}

describe('crc32', () => {
  it('equals zlib’s for every length and alignment, and continues across chunks', () => {
    for (const n of [0, 1, 7, 8, 9, 15, 16, 17, 1000, 65_537]) {
      const data = noise.subarray(3, 3 + n);
      expect(crc32(data)).toBe(zlibCrc32(data));
    }
    expect(crc32(noise.subarray(500, 1000), crc32(noise.subarray(0, 500)))).toBe(zlibCrc32(noise.subarray(0, 1000)));
    expect(crc32(text.encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('extractZipEntry', () => {
  for (const [label, options] of [
    ['plain', {}],
    ['with data descriptors', { dataDescriptor: true }],
    ['Zip64', { zip64: true }],
    ['Zip64 with data descriptors and a comment', { zip64: true, dataDescriptor: true, comment: 'PK\u0005\u0006 lookalike' }],
  ] as const) {
    it(`reads stored and deflated entries (${label})`, async () => {
      const zip = buildZip(files, options);
      const listed = listZipEntries(zip);
      expect(listed.map((e) => [e.name, e.method, e.size])).toEqual(files.map((f) => [f.name, f.method ?? 8, f.data.length]));
      for (const f of files) {
        if (f.name.endsWith('/')) continue;
        expectBytes(await extractZipEntry(zip, f.name), f.data);
      }
    });
  }

  it('returns a stored entry as a view of the archive, without copying', async () => {
    const zip = buildZip(files);
    const out = await extractZipEntry(zip, 'model.decoder.onnx');
    expect(out.buffer).toBe(zip.buffer);
    expect(new TextDecoder().decode(out)).toBe('stored as is');
  });

  it('inflates an entry larger than one write to the decompressor (incompressible, 3 MB)', async () => {
    const zip = buildZip([{ name: 'noise.bin', data: noise }]);
    expect(listZipEntries(zip)[0]!.compressedSize).toBeGreaterThan(2 << 20);
    expectBytes(await extractZipEntry(zip, 'noise.bin'), noise);
  });

  it('reads an archive that sits at an offset in a larger buffer', async () => {
    const zip = buildZip(files);
    const padded = new Uint8Array(zip.length + 100);
    padded.set(zip, 37);
    expectBytes(await extractZipEntry(padded.subarray(37, 37 + zip.length), 'model.encoder.onnx'), ramp);
  });

  it('finds an entry inside a folder by its file name, and refuses an ambiguous one', async () => {
    const zip = buildZip([
      { name: 'export/a.onnx', data: text.encode('a') },
      { name: 'x/b.onnx', data: text.encode('b1') },
      { name: 'y/b.onnx', data: text.encode('b2') },
    ]);
    expect(new TextDecoder().decode(await extractZipEntry(zip, 'a.onnx'))).toBe('a');
    expect((await failure(extractZipEntry(zip, 'b.onnx'))).message).toMatch(/several entries called b\.onnx: x\/b\.onnx, y\/b\.onnx/);
  });

  it('names a missing entry and what the archive holds, as a MODEL_LOAD 500', async () => {
    const err = await failure(extractZipEntry(buildZip(files), 'sam2.1_hiera_tiny.encoder.onnx', 'https://example.test/t.zip'));
    expect(err).toMatchObject({ status: 500, code: 'MODEL_LOAD' });
    expect(err.message).toBe(
      'https://example.test/t.zip has no entry sam2.1_hiera_tiny.encoder.onnx; it holds: model.encoder.onnx, model.decoder.onnx, empty.txt, dir/ünïcode name.bin.',
    );
  });

  it('refuses bytes that are not a zip archive', async () => {
    for (const bytes of [new Uint8Array(), text.encode('<html>Not found</html>'), noise.subarray(0, 100_000)]) {
      const err = await failure(extractZipEntry(bytes, 'a'));
      expect(err).toMatchObject({ status: 500, code: 'MODEL_LOAD' });
      expect(err.message).toMatch(/not a zip archive, or is truncated/);
    }
  });

  it('refuses a truncated archive', async () => {
    const zip = buildZip(files);
    for (const cut of [zip.length - 1, zip.length - 30, Math.floor(zip.length / 2), 10]) {
      expect(await failure(extractZipEntry(zip.subarray(0, cut), 'model.encoder.onnx'))).toMatchObject({ status: 500, code: 'MODEL_LOAD' });
    }
    // Cut inside the data, with the directory kept: the entry runs past the end.
    const zip64 = buildZip(files, { zip64: true });
    const cd = centralOffset(zip64);
    const spliced = new Uint8Array([...zip64.subarray(0, 100), ...zip64.subarray(cd)]);
    expect(await failure(extractZipEntry(spliced, 'model.encoder.onnx'))).toMatchObject({ code: 'MODEL_LOAD' });
  });

  it('catches corrupt deflate data and a corrupt stored entry', async () => {
    const zip = buildZip(files);
    const entries = listZipEntries(zip);
    const deflated = entries.find((e) => e.name === 'model.encoder.onnx')!;
    const bad = zip.slice();
    const start = deflated.localHeaderOffset + 30 + 'model.encoder.onnx'.length;
    for (let i = 10; i < 40; i++) bad[start + i]! ^= 0xa5;
    const err = await failure(extractZipEntry(bad, 'model.encoder.onnx'));
    expect(err).toMatchObject({ status: 500, code: 'MODEL_LOAD' });
    expect(err.message).toMatch(/model\.encoder\.onnx in The zip archive (is corrupt|inflates to|failed its CRC-32 check)/);

    const stored = entries.find((e) => e.name === 'model.decoder.onnx')!;
    const flipped = zip.slice();
    flipped[stored.localHeaderOffset + 30 + 'model.decoder.onnx'.length + 3]! ^= 1;
    expect((await failure(extractZipEntry(flipped, 'model.decoder.onnx'))).message).toMatch(/failed its CRC-32 check: [0-9a-f]{8}, expected [0-9a-f]{8}/);
  });

  it('checks the declared size of a deflated entry', async () => {
    const zip = buildZip([{ name: 'a', data: ramp }]);
    const cd = centralOffset(zip);
    const view = new DataView(zip.buffer, zip.byteOffset);
    view.setUint32(cd + 24, ramp.length - 1, true);
    expect((await failure(extractZipEntry(zip, 'a'))).message).toMatch(/inflates to more than its declared 199999 bytes/);
    view.setUint32(cd + 24, ramp.length + 1, true);
    expect((await failure(extractZipEntry(zip, 'a'))).message).toMatch(/inflates to 200000 bytes, expected 200001/);
  });

  it('refuses unsupported methods and encrypted entries', async () => {
    const bzip2 = buildZip([{ name: 'a', data: ramp, method: 12 }]);
    expect((await failure(extractZipEntry(bzip2, 'a'))).message).toBe('a in The zip archive uses compression method 12; only stored (0) and deflate (8) are supported.');
    const encrypted = buildZip([{ name: 'a', data: ramp, method: 0 }]);
    encrypted[centralOffset(encrypted) + 8]! |= 1;
    expect(await failure(extractZipEntry(encrypted, 'a'))).toMatchObject({ code: 'MODEL_LOAD', message: expect.stringMatching(/encrypted/) });
  });

  it('refuses saturated sizes without a Zip64 record', async () => {
    const zip = buildZip(files, { zip64: true });
    const locator = Buffer.from(zip).lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x07]));
    zip[locator] = 0; // break the locator's signature
    expect((await failure(extractZipEntry(zip, 'empty.txt'))).message).toMatch(/overflow 32 bits but it has no Zip64 record/);
  });
});

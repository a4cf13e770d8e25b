/**
 * Reads one entry of a zip archive held in memory: the End of Central Directory record (and the
 * Zip64 one where sizes or offsets overflow 32 bits), the central directory, then the entry's local
 * header. Stored entries come back as views of the archive; deflated ones are inflated with the
 * platform's `DecompressionStream('deflate-raw')` (Node 20, browsers). Every entry is checked
 * against its uncompressed size and CRC-32. No dependencies; failures are MODEL_LOAD errors.
 */
import { forEachChunk } from '../bytes.js';
import { errorOf, errorText, SegmentAnything2Error } from '../errors.js';

/** One central directory record, with Zip64 values already applied. */
export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflate; others are refused. */
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EXTRA = 0x0001;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
/** Compressed bytes handed to the decompressor per write. */
const INFLATE_CHUNK = 1 << 20;

function zipError(msg: string, cause?: unknown): SegmentAnything2Error {
  return errorOf('MODEL_LOAD', msg, cause);
}

/** Little-endian reads that fail as a corrupt archive, never with a RangeError. */
class Reader {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    private readonly label: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private check(at: number, n: number): void {
    if (at < 0 || at + n > this.bytes.length) throw zipError(`${this.label} is truncated or corrupt: a record at byte ${at} runs past its end.`);
  }
  u16(at: number): number {
    this.check(at, 2);
    return this.view.getUint16(at, true);
  }
  u32(at: number): number {
    this.check(at, 4);
    return this.view.getUint32(at, true);
  }
  u64(at: number): number {
    this.check(at, 8);
    const v = this.view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw zipError(`${this.label} is corrupt: a 64-bit size or offset is out of range.`);
    return Number(v);
  }
  /** The archive's bytes [at, at + n), checked to lie inside it. */
  slice(at: number, n: number): Uint8Array {
    this.check(at, n);
    return this.bytes.subarray(at, at + n);
  }
}

/** Where the central directory is, from the (Zip64) End of Central Directory record. */
function centralDirectory(r: Reader, label: string): { offset: number; size: number; count: number } {
  const n = r.bytes.length;
  let eocd = -1;
  // The record is the last thing in the file but for a comment of at most 65,535 bytes.
  for (let at = n - EOCD_SIZE; at >= Math.max(0, n - EOCD_SIZE - U16_MAX); at--) {
    if (r.u32(at) === SIG_EOCD && at + EOCD_SIZE + r.u16(at + 20) <= n) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw zipError(`${label} is not a zip archive, or is truncated: no end of central directory record.`);
  let count = r.u16(eocd + 10);
  let size = r.u32(eocd + 12);
  let offset = r.u32(eocd + 16);
  let disks = r.u16(eocd + 4) + r.u16(eocd + 6);
  const locator = eocd - ZIP64_LOCATOR_SIZE;
  if (locator >= 0 && r.u32(locator) === SIG_ZIP64_LOCATOR) {
    const at = r.u64(locator + 8);
    if (r.u32(at) !== SIG_ZIP64_EOCD) throw zipError(`${label} is corrupt: no Zip64 end of central directory record at byte ${at}.`);
    disks = r.u32(at + 16) + r.u32(at + 20);
    count = r.u64(at + 32);
    size = r.u64(at + 40);
    offset = r.u64(at + 48);
  } else if (count === U16_MAX || size === U32_MAX || offset === U32_MAX) {
    throw zipError(`${label} is corrupt: its sizes overflow 32 bits but it has no Zip64 record.`);
  }
  if (disks !== 0) throw zipError(`${label} spans several disks, which is not supported.`);
  if (offset + size > n) throw zipError(`${label} is truncated or corrupt: its central directory runs past its end.`);
  return { offset, size, count };
}

/** Every entry of the archive's central directory. */
export function listZipEntries(zip: Uint8Array, label = 'The zip archive'): ZipEntry[] {
  const r = new Reader(zip, label);
  const cd = centralDirectory(r, label);
  const names = new TextDecoder();
  const entries: ZipEntry[] = [];
  let at = cd.offset;
  for (let i = 0; i < cd.count; i++) {
    if (r.u32(at) !== SIG_CENTRAL) throw zipError(`${label} is corrupt: central directory record ${i} has a bad signature.`);
    const nameLength = r.u16(at + 28);
    const extraLength = r.u16(at + 30);
    const commentLength = r.u16(at + 32);
    let compressedSize = r.u32(at + 20);
    let size = r.u32(at + 24);
    let localHeaderOffset = r.u32(at + 42);
    const name = names.decode(r.slice(at + 46, nameLength));
    // The Zip64 extra field holds, in this order, just the values whose 32-bit fields are saturated.
    const extra = at + 46 + nameLength;
    for (let e = extra; e + 4 <= extra + extraLength; ) {
      const id = r.u16(e);
      const length = r.u16(e + 2);
      if (id === ZIP64_EXTRA) {
        let p = e + 4;
        const next = (): number => {
          if (p + 8 > e + 4 + length) throw zipError(`${label} is corrupt: the Zip64 field of ${name} is too short.`);
          p += 8;
          return r.u64(p - 8);
        };
        if (size === U32_MAX) size = next();
        if (compressedSize === U32_MAX) compressedSize = next();
        if (localHeaderOffset === U32_MAX) localHeaderOffset = next();
      }
      e += 4 + length;
    }
    entries.push({ name, method: r.u16(at + 10), flags: r.u16(at + 8), crc32: r.u32(at + 16), compressedSize, size, localHeaderOffset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * The entry called `name`: an exact path match, else the one entry whose last path component is
 * `name` (archives are sometimes made with a folder around their files).
 */
function findEntry(entries: ZipEntry[], name: string, label: string): ZipEntry {
  const exact = entries.find((e) => e.name === name);
  if (exact) return exact;
  const inFolder = entries.filter((e) => e.name.endsWith(`/${name}`));
  if (inFolder.length === 1) return inFolder[0]!;
  const files = entries.filter((e) => !e.name.endsWith('/')).map((e) => e.name);
  if (inFolder.length > 1) throw zipError(`${label} holds several entries called ${name}: ${inFolder.map((e) => e.name).join(', ')}.`);
  throw zipError(`${label} has no entry ${name}; it holds: ${files.join(', ') || 'nothing'}.`);
}

let crcTable: Uint32Array | undefined;

/** Slice-by-8 tables for the CRC-32 of zip (and gzip, PNG): reflected polynomial 0xEDB88320. */
function crcTables(): Uint32Array {
  if (crcTable) return crcTable;
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n]! >>> 8) ^ t[t[(k - 1) * 256 + n]! & 255]!;
  }
  return (crcTable = t);
}

/** The CRC-32 of `data`, continuing from `crc` (the CRC of the bytes before it). */
export function crc32(data: Uint8Array, crc = 0): number {
  const t = crcTables();
  let c = ~crc;
  let i = 0;
  const end8 = data.length - (data.length % 8);
  for (; i < end8; i += 8) {
    c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    c =
      t[1792 + (c & 255)]! ^
      t[1536 + ((c >>> 8) & 255)]! ^
      t[1280 + ((c >>> 16) & 255)]! ^
      t[1024 + (c >>> 24)]! ^
      t[768 + data[i + 4]!]! ^
      t[512 + data[i + 5]!]! ^
      t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!;
  }
  for (; i < data.length; i++) c = t[(c ^ data[i]!) & 255]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** Inflates raw deflate data into exactly `size` bytes, with its CRC-32. */
async function inflateRaw(data: Uint8Array, size: number, what: string): Promise<{ out: Uint8Array; crc: number }> {
  const stream = new DecompressionStream('deflate-raw');
  const writer = stream.writable.getWriter();
  const writing = (async () => {
    for (let i = 0; i < data.length; i += INFLATE_CHUNK) await writer.write(data.subarray(i, i + INFLATE_CHUNK) as Uint8Array<ArrayBuffer>);
    await writer.close();
  })();
  writing.catch(() => {}); // its failure also fails the reader, which reports it
  const reader = stream.readable.getReader();
  const out = new Uint8Array(size);
  let length = 0;
  let crc = 0;
  try {
    await forEachChunk(reader, (chunk) => {
      if (length + chunk.length > size) throw zipError(`${what} inflates to more than its declared ${size} bytes.`);
      out.set(chunk, length);
      crc = crc32(chunk, crc);
      length += chunk.length;
    });
    await writing;
  } catch (cause) {
    if (cause instanceof SegmentAnything2Error) throw cause;
    throw zipError(`${what} is corrupt: ${errorText(cause)}`, cause);
  }
  if (length !== size) throw zipError(`${what} inflates to ${length} bytes, expected ${size}.`);
  return { out, crc };
}

/**
 * The bytes of entry `name` of `zip`, checked against its size and CRC-32. `label` names the
 * archive in error messages (its URL, say).
 */
export async function extractZipEntry(zip: Uint8Array, name: string, label = 'The zip archive'): Promise<Uint8Array> {
  const entry = findEntry(listZipEntries(zip, label), name, label);
  const what = `${name} in ${label}`;
  if (entry.flags & 1) throw zipError(`${what} is encrypted, which is not supported.`);
  const r = new Reader(zip, label);
  const local = entry.localHeaderOffset;
  if (r.u32(local) !== SIG_LOCAL) throw zipError(`${label} is corrupt: no local header for ${name} at byte ${local}.`);
  // The local header's own sizes may be zero (data descriptor) or saturated; the central directory's are used.
  const start = local + 30 + r.u16(local + 26) + r.u16(local + 28);
  if (start + entry.compressedSize > zip.length) throw zipError(`${label} is truncated: ${name} runs past its end.`);
  const data = zip.subarray(start, start + entry.compressedSize);
  let out: Uint8Array;
  let crc: number;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw zipError(`${what} is corrupt: stored with ${entry.compressedSize} bytes for a size of ${entry.size}.`);
    out = data;
    crc = crc32(data);
  } else if (entry.method === 8) {
    ({ out, crc } = await inflateRaw(data, entry.size, what));
  } else {
    throw zipError(`${what} uses compression method ${entry.method}; only stored (0) and deflate (8) are supported.`);
  }
  if (crc !== entry.crc32) throw zipError(`${what} failed its CRC-32 check: ${hex(crc)}, expected ${hex(entry.crc32)}.`);
  return out;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

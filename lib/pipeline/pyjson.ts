/**
 * A JSON reader with the semantics and error messages of CPython's `json.loads` (the C scanner of
 * Python ≤ 3.12), which is what the runner uses on every prompt field (docs/gateway-contract.md §1.2).
 *
 * Differences from `JSON.parse` that matter here: `NaN`, `Infinity` and `-Infinity` are accepted,
 * integers are told apart from floats (numpy infers int64 vs float64 from that), and every error is
 * a {@link PyJSONDecodeError} whose `message` is Python's `str(JSONDecodeError)`, e.g.
 * `Expecting value: line 1 column 1 (char 0)`.
 */

/** A parsed JSON value. Numbers keep whether they were written as integers. */
export type PyValue = PyNumber | boolean | string | null | PyValue[] | { [key: string]: PyValue };

/** A JSON number; `int` is true for integer literals (no fraction, no exponent). */
export class PyNumber {
  constructor(
    readonly num: number,
    readonly int: boolean,
  ) {}
}

export class PyJSONDecodeError extends Error {
  override readonly name = 'PyJSONDecodeError';
  constructor(
    readonly msg: string,
    readonly doc: string,
    /** Offset in UTF-16 code units; the message reports Python's code-point offset. */
    readonly pos: number,
  ) {
    super(formatPosition(msg, doc, pos));
  }
}

function formatPosition(msg: string, doc: string, pos: number): string {
  const before = doc.slice(0, pos);
  const lineno = before.split('\n').length;
  const lastNewline = before.lastIndexOf('\n');
  // Python counts code points, JS strings count UTF-16 units.
  const charPos = [...before].length;
  const colno = lastNewline < 0 ? charPos + 1 : [...before.slice(lastNewline + 1)].length + 1;
  return `${msg}: line ${lineno} column ${colno} (char ${charPos})`;
}

const WS = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Signals "no value starts here" (Python's StopIteration in the scanner). */
class NoValue {
  constructor(readonly pos: number) {}
}

class Scanner {
  constructor(readonly s: string) {}

  skipWs(i: number): number {
    while (i < this.s.length && WS.has(this.s[i]!)) i++;
    return i;
  }

  fail(msg: string, pos: number): never {
    throw new PyJSONDecodeError(msg, this.s, pos);
  }

  /** scan_once: the value at `i` and the index after it, or NoValue. */
  value(i: number): [PyValue, number] | NoValue {
    const s = this.s;
    if (i >= s.length) return new NoValue(i);
    const c = s[i]!;
    if (c === '"') return this.string(i + 1);
    if (c === '{') return this.object(i + 1);
    if (c === '[') return this.array(i + 1);
    for (const [word, val] of LITERALS) {
      if (s.startsWith(word, i)) return [val, i + word.length];
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(s);
    if (!m) return new NoValue(i);
    const isInt = m[1] === undefined && m[2] === undefined;
    return [new PyNumber(Number(m[0]), isInt), i + m[0].length];
  }

  string(i: number): [string, number] {
    const s = this.s;
    const begin = i - 1;
    let out = '';
    for (;;) {
      let j = i;
      while (j < s.length && s[j] !== '"' && s[j] !== '\\' && s.charCodeAt(j) >= 0x20) j++;
      if (j >= s.length) this.fail('Unterminated string starting at', begin);
      out += s.slice(i, j);
      const t = s[j]!;
      if (t === '"') return [out, j + 1];
      if (t !== '\\') this.fail('Invalid control character at', j);
      const esc = s[j + 1];
      if (esc === undefined) this.fail('Unterminated string starting at', begin);
      if (esc !== 'u') {
        const ch = ESCAPES[esc];
        if (ch === undefined) this.fail('Invalid \\escape', j);
        out += ch;
        i = j + 2;
        continue;
      }
      const hex = s.slice(j + 2, j + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Invalid \\uXXXX escape', j + 1);
      out += String.fromCharCode(parseInt(hex, 16));
      i = j + 6;
    }
  }

  array(i: number): [PyValue[], number] {
    const out: PyValue[] = [];
    i = this.skipWs(i);
    if (this.s[i] === ']') return [out, i + 1];
    for (;;) {
      const r = this.value(i);
      if (r instanceof NoValue) this.fail('Expecting value', r.pos);
      out.push(r[0]);
      i = this.skipWs(r[1]);
      if (this.s[i] === ']') return [out, i + 1];
      if (this.s[i] !== ',') this.fail("Expecting ',' delimiter", i);
      i = this.skipWs(i + 1);
    }
  }

  object(i: number): [{ [key: string]: PyValue }, number] {
    const out: { [key: string]: PyValue } = {};
    i = this.skipWs(i);
    if (this.s[i] === '}') return [out, i + 1];
    for (;;) {
      if (this.s[i] !== '"') this.fail('Expecting property name enclosed in double quotes', i);
      const [key, afterKey] = this.string(i + 1);
      i = this.skipWs(afterKey);
      if (this.s[i] !== ':') this.fail("Expecting ':' delimiter", i);
      i = this.skipWs(i + 1);
      const r = this.value(i);
      if (r instanceof NoValue) this.fail('Expecting value', r.pos);
      out[key] = r[0];
      i = this.skipWs(r[1]);
      if (this.s[i] === '}') return [out, i + 1];
      if (this.s[i] !== ',') this.fail("Expecting ',' delimiter", i);
      i = this.skipWs(i + 1);
      if (this.s[i] !== '"') this.fail('Expecting property name enclosed in double quotes', i);
    }
  }
}

const LITERALS: ReadonlyArray<readonly [string, PyValue]> = [
  ['null', null],
  ['true', true],
  ['false', false],
  ['NaN', new PyNumber(NaN, false)],
  ['Infinity', new PyNumber(Infinity, false)],
  ['-Infinity', new PyNumber(-Infinity, false)],
];

/** `json.loads(text)`; throws {@link PyJSONDecodeError} with Python's message. */
export function pyJsonLoads(text: string): PyValue {
  const sc: Scanner = new Scanner(text);
  if (text.startsWith('\ufeff')) sc.fail('Unexpected UTF-8 BOM (decode using utf-8-sig)', 0);
  const r = sc.value(sc.skipWs(0));
  if (r instanceof NoValue) sc.fail('Expecting value', r.pos);
  const end = sc.skipWs(r[1]);
  if (end !== text.length) sc.fail('Extra data', end);
  return r[0];
}

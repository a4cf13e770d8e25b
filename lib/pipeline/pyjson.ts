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
    /** The exact value of an integer literal beyond ±2^53, where `num` is rounded (Python ints are exact). */
    readonly big?: bigint,
  ) {}
}

/**
 * How deep `json.loads` can nest arrays and objects before CPython raises `RecursionError`: its C
 * scanner calls `Py_EnterRecursiveCall` per level, against the interpreter's limit of 1000 less the
 * Python frames already on the stack. Measured with CPython 3.11, `json.loads` called from a
 * function of a script: 994 levels of arrays or objects pass, 995 fail. The runner's route stands a
 * few dozen frames deeper (asyncio, Starlette, FastAPI), so its own limit is a little lower.
 */
export const PY_JSON_MAX_DEPTH = 994;

/**
 * CPython's `RecursionError` from `json.loads` on too deep a nesting. It is not a `ValueError`, so
 * the runner's route does not catch it: Starlette answers 500 `Internal Server Error`.
 */
export class PyRecursionError extends Error {
  override readonly name = 'PyRecursionError';
  constructor(what: 'array' | 'object') {
    super(`maximum recursion depth exceeded while decoding a JSON ${what} from a unicode string`);
  }
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
  /** Arrays and objects open around the current position. */
  private depth = 0;

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
    if (c === '{' || c === '[') {
      if (this.depth >= PY_JSON_MAX_DEPTH) throw new PyRecursionError(c === '[' ? 'array' : 'object');
      this.depth++;
      try {
        return c === '[' ? this.array(i + 1) : this.object(i + 1);
      } finally {
        this.depth--;
      }
    }
    for (const [word, val] of LITERALS) {
      if (s.startsWith(word, i)) return [val, i + word.length];
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(s);
    if (!m) return new NoValue(i);
    const isInt = m[1] === undefined && m[2] === undefined;
    const num = Number(m[0]);
    const big = isInt && !Number.isSafeInteger(num) ? BigInt(m[0]) : undefined;
    return [new PyNumber(num, isInt, big), i + m[0].length];
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

/**
 * `json.loads(text)`; throws {@link PyJSONDecodeError} with Python's message, or
 * {@link PyRecursionError} past {@link PY_JSON_MAX_DEPTH} nested levels.
 */
export function pyJsonLoads(text: string): PyValue {
  const sc: Scanner = new Scanner(text);
  if (text.startsWith('\ufeff')) sc.fail('Unexpected UTF-8 BOM (decode using utf-8-sig)', 0);
  let r: [PyValue, number] | NoValue;
  try {
    r = sc.value(sc.skipWs(0));
  } catch (e) {
    // A thread with a small stack may run out before PY_JSON_MAX_DEPTH: Python would too.
    if (e instanceof RangeError) throw new PyRecursionError('array');
    throw e;
  }
  if (r instanceof NoValue) sc.fail('Expecting value', r.pos);
  const end = sc.skipWs(r[1]);
  if (end !== text.length) sc.fail('Extra data', end);
  return r[0];
}

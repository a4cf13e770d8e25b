/**
 * numpy 1.26's and CPython 3.11's limits on prompt fields (issue 12, item 5). The messages were
 * checked against numpy (its shape discovery is unchanged in 2.x, where NPY_MAXDIMS became 64, so
 * the port also runs with 64) and CPython 3.11's json.
 */
import { describe, expect, it } from 'vitest';
import { clipNesting, discoverShape, NUMPY_MAX_DIMS, RaggedArrayError, toNdArray } from '../../lib/pipeline/ndarray.js';
import { PY_JSON_MAX_DEPTH, pyJsonLoads, PyRecursionError } from '../../lib/pipeline/pyjson.js';

const nest = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
const tooDeep = (max: number) => `setting an array element with a sequence. The requested array would exceed the maximum number of dimension of ${max}.`;
const ragged = (dims: number, shape: string) =>
  `setting an array element with a sequence. The requested array has an inhomogeneous shape after ${dims} dimensions. The detected shape was ${shape} + inhomogeneous part.`;

describe('numpy shape discovery', () => {
  it('takes 32 dimensions and refuses 33 with numpy 1.26 message', () => {
    expect(NUMPY_MAX_DIMS).toBe(32);
    expect(toNdArray(pyJsonLoads(nest(32))).shape).toEqual(new Array(32).fill(1));
    expect(() => toNdArray(pyJsonLoads(nest(33)))).toThrow(new RaggedArrayError(32, [], 32).message);
    expect(new RaggedArrayError(32, [], 32).message).toBe(tooDeep(32));
  });

  // Cases run through numpy 2.4 (NPY_MAXDIMS 64) here, where the algorithm is numpy 1.26's.
  it.each([
    [nest(64), null],
    [nest(65), tooDeep(64)],
    [nest(64, ''), null],
    [nest(65, ''), tooDeep(64)],
    [`[1,${nest(70, '')}]`, ragged(1, '(2,)')],
    [`[${nest(70, '')},1]`, ragged(1, '(2,)')],
  ])('%#: behaves as numpy 2 with its limit of 64', (text, message) => {
    const value = pyJsonLoads(text);
    if (message === null) expect(() => discoverShape(value, 64)).not.toThrow();
    else expect(() => discoverShape(value, 64)).toThrow(message);
  });

  it.each([
    ['[[],[1,2]]', ragged(1, '(2,)')],
    ['[1,[[]]]', ragged(1, '(2,)')],
    ['[[[1]],[2]]', ragged(2, '(2, 1)')],
  ])('%s gets numpy\'s own ragged message', (text, message) => {
    expect(() => toNdArray(pyJsonLoads(text))).toThrow(message);
  });

  it.each([
    ['[100000000000000000000, 1]', 'object'],
    ['[-9223372036854775809]', 'object'],
    ['[18446744073709551616]', 'object'],
    ['[18446744073709551615]', 'int'],
    ['[9223372036854775807, -9223372036854775808]', 'int'],
    ['[1e20]', 'float'],
  ])('%s is an array of kind %s (integers outside int64/uint64 make an object array)', (text, kind) => {
    expect(toNdArray(pyJsonLoads(text)).kind).toBe(kind);
  });

  it('takes a nesting of any depth without recursing past 32 levels', () => {
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = [v];
    expect(() => toNdArray(v)).toThrow(tooDeep(32));
  });

  it('clipNesting keeps what numpy sees, and returns shallow values as they are', () => {
    const shallow = [[1, 2], [3, 4]];
    expect(clipNesting(shallow)).toBe(shallow);
    for (const text of [nest(33), nest(40), `[1,${nest(40)}]`, `[${nest(40)},[1]]`, nest(32)]) {
      const value = pyJsonLoads(text);
      const message = (v: unknown) => {
        try {
          return discoverShape(v).join(',');
        } catch (e) {
          return (e as Error).message;
        }
      };
      expect(message(clipNesting(value))).toBe(message(value));
    }
  });
});

describe("json.loads's recursion limit", () => {
  it(`parses ${PY_JSON_MAX_DEPTH} levels and raises RecursionError at one more, as CPython 3.11 does`, () => {
    expect(PY_JSON_MAX_DEPTH).toBe(994);
    expect(() => pyJsonLoads(nest(994, ''))).not.toThrow();
    expect(() => pyJsonLoads(nest(995, ''))).toThrow(PyRecursionError);
    expect(() => pyJsonLoads(nest(995, ''))).toThrow('maximum recursion depth exceeded while decoding a JSON array from a unicode string');
    expect(() => pyJsonLoads(`${'{"a":'.repeat(995)}1${'}'.repeat(995)}`)).toThrow('while decoding a JSON object from a unicode string');
  });

  it('raises RecursionError, never RangeError, on 20,000 levels', () => {
    expect(() => pyJsonLoads('['.repeat(20_000))).toThrow(PyRecursionError);
  });
});

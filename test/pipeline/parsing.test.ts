import { describe, expect, it } from 'vitest';
import { toNdArray } from '../../lib/pipeline/ndarray.js';
import { PyJSONDecodeError, pyJsonLoads, PyNumber } from '../../lib/pipeline/pyjson.js';
import { reference } from '../golden/reference.js';

describe('pyJsonLoads', () => {
  it.each(reference.json_errors)('fails on %j with CPython json message', (input, message) => {
    let error: unknown;
    try {
      pyJsonLoads(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PyJSONDecodeError);
    expect((error as Error).message).toBe(message);
  });

  it('accepts NaN and Infinity as Python does', () => {
    const v = pyJsonLoads('[NaN, Infinity, -Infinity, 1, 2.5, 1e3]') as PyNumber[];
    expect(v.map((n) => n.num)).toEqual([NaN, Infinity, -Infinity, 1, 2.5, 1000]);
    expect(v.map((n) => n.int)).toEqual([false, false, false, true, false, false]);
  });

  it('parses nested arrays, objects, strings and literals', () => {
    expect(pyJsonLoads(' {"a": [true, false, null], "b": "x\\u00e9\\n"} ')).toEqual({ a: [true, false, null], b: 'xé\n' });
  });
});

describe('toNdArray (np.array)', () => {
  const parse = (s: string) => toNdArray(pyJsonLoads(s));

  it.each(reference.ragged)('reports %s as ragged with numpy 1.26 message', (input, message) => {
    expect(() => parse(input)).toThrow(message);
  });

  it.each(reference.shapes)('gives %s the numpy shape %j and dtype kind %s', (input, shape, kind) => {
    const a = parse(input);
    expect(a.shape).toEqual(shape);
    const kinds: Record<string, string> = { bool: 'b', int: 'i', float: 'f', str: 'U', object: 'O' };
    expect(kinds[a.kind]).toBe(kind);
  });

  it('flattens row-major', () => {
    expect(Array.from(parse('[[1,2],[3,4],[5,6]]').data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(toNdArray([new Float32Array([1, 2]), [3, 4]]).data)).toEqual([1, 2, 3, 4]);
  });
});

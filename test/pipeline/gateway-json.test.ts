import { describe, expect, it } from 'vitest';
import { pythonFloatRepr, pythonListRepr, toGatewayJSON } from '../../lib/pipeline/gateway-json.js';
import { reference } from '../golden/reference.js';

describe('pythonFloatRepr', () => {
  it.each(reference.repr)('writes %d as Python repr %s', (value, expected) => {
    expect(pythonFloatRepr(value)).toBe(expected);
  });

  it.each([
    [32, '32.0'],
    [-0, '-0.0'],
    [1e-5, '1e-05'],
    [Math.fround(0.1), '0.10000000149011612'],
    [Math.fround(-3.2), '-3.200000047683716'],
    [1e16, '1e+16'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
  ])('writes the contract example %d as %s', (value, expected) => {
    expect(pythonFloatRepr(value)).toBe(expected);
  });
});

describe('pythonListRepr', () => {
  it("matches str(ndarray.tolist()) with ', ' separators and 3-level nesting", () => {
    const { data, dims, str } = reference.list_repr;
    expect(pythonListRepr(Float32Array.from(data), dims)).toBe(str);
  });
});

describe('toGatewayJSON', () => {
  it('writes the compact body with keys masks, scores, logits', () => {
    const body = toGatewayJSON({
      masks: { data: Float32Array.from([1, 0, 1, 0, 0, 1]), dims: [1, 2, 3] },
      scores: { data: Float32Array.from([0.93]), dims: [1] },
      logits: { data: Float32Array.from([32, -32, 0.5, -0]), dims: [1, 2, 2] },
    });
    expect(body).toBe(
      '{"masks":"[[[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]]]","scores":"[0.9300000071525574]","logits":"[[[32.0, -32.0], [0.5, -0.0]]]"}',
    );
  });

  it('writes compact binary masks as 0.0/1.0, as with return_logits=false', () => {
    const base = {
      scores: { data: Float32Array.from([0.5]), dims: [1] },
      logits: { data: new Float32Array(1), dims: [1, 1, 1] },
    };
    const bits = toGatewayJSON({ ...base, masks: { format: 'bits', data: Uint8Array.from([0b10100000]), dims: [1, 1, 3] } });
    const bytes = toGatewayJSON({ ...base, masks: { format: 'uint8', data: Uint8Array.from([1, 0, 1]), dims: [1, 1, 3] } });
    expect(JSON.parse(bits).masks).toBe('[[[1.0, 0.0, 1.0]]]');
    expect(bytes).toBe(bits);
  });
});

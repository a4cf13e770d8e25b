import { describe, expect, it } from 'vitest';
import { SegmentAnything2Error } from '../../lib/errors.js';
import { checkPrompts, encodePoints } from '../../lib/pipeline/prompts.js';
import { geometryFor } from '../../lib/pipeline/preprocess.js';
import { parseRequest, parseBoolean } from '../../lib/pipeline/request.js';
import type { SegmentAnything2Request } from '../../lib/types.js';

const MODEL = 'facebook/sam2-hiera-large';
const image = { data: new Uint8Array(4), width: 1, height: 1 };

/** The runner's body and status for a request that fails before the model runs. */
function failure(request: Partial<SegmentAnything2Request>): { status: number; code: string; body: string } {
  try {
    const parsed = parseRequest({ image, ...request } as SegmentAnything2Request, MODEL);
    checkPrompts(parsed);
  } catch (e) {
    expect(e).toBeInstanceOf(SegmentAnything2Error);
    const err = e as SegmentAnything2Error;
    return { status: err.status, code: err.code, body: JSON.stringify(err) };
  }
  throw new Error('expected the request to fail');
}

describe("the runner's error table", () => {
  it('row 1: a text field over 1 MiB is a 400 with a string detail', () => {
    const big = `[${'1,'.repeat(600_000)}1]`;
    expect(failure({ mask_input: big })).toEqual({
      status: 400,
      code: 'PART_TOO_LARGE',
      body: '{"detail":"Part exceeded maximum size of 1024KB."}',
    });
  });

  it('row 2: a missing image is a 422 "Field required"', () => {
    expect(failure({ image: undefined })).toEqual({
      status: 422,
      code: 'VALIDATION',
      body: '{"detail":[{"type":"missing","loc":["body","image"],"msg":"Field required","input":null}]}',
    });
    expect(failure({ image: '' as never }).status).toBe(422);
  });

  it('row 2: a bad boolean is a 422 bool_parsing, and errors are listed together', () => {
    expect(failure({ multimask_output: 'maybe' }).body).toBe(
      '{"detail":[{"type":"bool_parsing","loc":["body","multimask_output"],"msg":"Input should be a valid boolean, unable to interpret input","input":"maybe"}]}',
    );
    const both = JSON.parse(failure({ image: undefined, return_logits: 'nope', normalize_coords: 2 }).body);
    expect(both.detail.map((d: { loc: string[] }) => d.loc[1])).toEqual(['image', 'return_logits', 'normalize_coords']);
  });

  it('row 2: a text value for image is a 422 value_error', () => {
    expect(JSON.parse(failure({ image: 'cat.png' as never }).body).detail[0]).toMatchObject({ type: 'value_error', loc: ['body', 'image'] });
  });

  it('row 4: a model_id other than the loaded model is a 400', () => {
    expect(failure({ model_id: 'facebook/sam2-hiera-tiny' })).toEqual({
      status: 400,
      code: 'MODEL_MISMATCH',
      body: '{"detail":{"msg":"pipeline configured with facebook/sam2-hiera-large but called with facebook/sam2-hiera-tiny."}}',
    });
  });

  it('row 5a: invalid JSON is a 400 naming the field', () => {
    expect(failure({ point_coords: 'abc' }).body).toBe(
      '{"detail":{"msg":"Error parsing JSON for point_coords: Expecting value: line 1 column 1 (char 0)"}}',
    );
    expect(failure({ point_coords: '[[1,2]]', point_labels: '[1', box: 'x' }).body).toContain('for point_labels: Expecting');
  });

  it('row 5b: a ragged array is a 400 with numpy message', () => {
    expect(failure({ point_coords: '[[1,2],[3]]' }).body).toBe(
      '{"detail":{"msg":"setting an array element with a sequence. The requested array has an inhomogeneous shape after 1 dimensions. The detected shape was (2,) + inhomogeneous part."}}',
    );
    expect(failure({ point_coords: [[1, 2], [3]] }).code).toBe('RAGGED_ARRAY');
  });

  it('row 7: coordinates without labels', () => {
    expect(failure({ point_coords: '[[1,2]]' }).body).toBe(
      '{"detail":{"msg":"Error during model execution: point_labels must be supplied if point_coords is supplied.."}}',
    );
  });

  it('row 7: labels that do not match the points', () => {
    expect(failure({ point_coords: '[[1,2],[3,4]]', point_labels: '[1]' }).body).toBe(
      '{"detail":{"msg":"Error during model execution: The shape of the mask [1, 2] at index 1 does not match the shape of the indexed tensor [1, 3, 256] at index 1."}}',
    );
    // With a box, two corner points come first.
    expect(failure({ point_coords: '[[1,2],[3,4]]', point_labels: '[1]', box: '[0,0,5,5]' }).body).toContain('mask [1, 4] at index 1 does not match the shape of the indexed tensor [1, 5, 256]');
  });

  it('row 7: a box whose length is not a multiple of 4', () => {
    expect(failure({ box: '[1,2,3]' })).toMatchObject({
      status: 400,
      code: 'INVALID_PROMPT',
      body: `{"detail":{"msg":"Error during model execution: shape '[-1, 2, 2]' is invalid for input of size 3."}}`,
    });
  });

  it('row 7: a mask_input that is not 1×256×256', () => {
    expect(failure({ mask_input: new Float32Array(100) }).body).toContain('mask_input must have shape (1, 256, 256) or (1, 1, 256, 256), got (100,)');
    expect(failure({ mask_input: { data: new Float32Array(3 * 65536), dims: [3, 256, 256] } }).status).toBe(400);
  });

  it('row 7: non-numeric JSON fails like the torch conversion', () => {
    expect(failure({ point_coords: '[["a","b"]]', point_labels: '[1]' }).body).toContain("can't convert np.ndarray of type numpy.str_.");
    expect(failure({ box: '[null, 1, 2, 3]' }).body).toContain('numpy.object_');
  });

  it('refuses NaN and Infinity, which Python json accepts', () => {
    expect(failure({ point_coords: '[[NaN, 1]]', point_labels: '[1]' }).body).toContain('point_coords must hold finite numbers');
    expect(failure({ box: [0, 0, Infinity, 1] }).code).toBe('INVALID_PROMPT');
  });

  it('checks in the runner order: validation before model_id before JSON', () => {
    expect(failure({ image: undefined, model_id: 'x', point_coords: '[' }).status).toBe(422);
    expect(failure({ model_id: 'x', point_coords: '[' }).code).toBe('MODEL_MISMATCH');
  });
});

describe('parseRequest', () => {
  it('applies the runner defaults and treats "" as absent', () => {
    const r = parseRequest({ image, model_id: '', point_coords: '', multimask_output: '', return_logits: 'No', normalize_coords: 1 }, MODEL);
    expect(r).toMatchObject({ multimask_output: true, return_logits: false, normalize_coords: true });
    expect(r.point_coords).toBeUndefined();
  });

  it('accepts the JSON string, nested arrays, typed arrays and tensors alike', () => {
    const forms = [
      '[[120,100],[120,50]]',
      [
        [120, 100],
        [120, 50],
      ],
      Float32Array.from([120, 100, 120, 50]),
      { data: [120, 100, 120, 50], dims: [2, 2] },
    ];
    for (const point_coords of forms) {
      const r = parseRequest({ image, point_coords, point_labels: Int32Array.from([1, 0]) }, MODEL);
      expect(r.point_coords?.shape).toEqual([2, 2]);
      expect(Array.from(r.point_coords!.data)).toEqual([120, 100, 120, 50]);
    }
  });

  it.each([
    ['true', true],
    ['FALSE', false],
    ['yes', true],
    ['off', false],
    ['t', true],
    ['n', false],
    [1, true],
    [0, false],
    ['maybe', undefined],
    ['', undefined],
    [2, undefined],
  ] as const)('parses the boolean %j as %j', (input, expected) => {
    expect(parseBoolean(input)).toBe(expected);
  });
});

describe('encodePoints', () => {
  it('SAM2: box corners first (labels 2, 3), then clicks; x/W·1024, y/H·1024; no padding point', () => {
    const prompts = checkPrompts(parseRequest({ image, point_coords: '[[100,50]]', point_labels: '[0]', box: '[10,20,30,40]' }, MODEL));
    const p = encodePoints(prompts, geometryFor('sam2', 400, 200));
    expect(p.count).toBe(3);
    expect(Array.from(p.labels)).toEqual([2, 3, 0]);
    expect(Array.from(p.coords)).toEqual([25.6, 102.4, 76.8, 204.8, 256, 256].map(Math.fround));
  });

  it('SAM2 with normalize_coords=false multiplies by 1024', () => {
    const prompts = checkPrompts(parseRequest({ image, point_coords: '[[0.5,0.25]]', point_labels: '[1]', normalize_coords: false }, MODEL));
    expect(Array.from(encodePoints(prompts, geometryFor('sam2', 400, 200)).coords)).toEqual([512, 256]);
  });

  it('SAM1: clicks, then the box corners, or a (0, 0, -1) padding point; scaled by the longest side', () => {
    const g = geometryFor('sam1', 400, 200); // resized to 1024×512
    const clicks = encodePoints(checkPrompts(parseRequest({ image, point_coords: '[[100,50]]', point_labels: '[1]' }, MODEL)), g);
    expect(Array.from(clicks.labels)).toEqual([1, -1]);
    expect(Array.from(clicks.coords)).toEqual([256, 128, 0, 0]);
    const boxed = encodePoints(checkPrompts(parseRequest({ image, point_coords: '[[100,50]]', point_labels: '[1]', box: '[0,0,400,200]' }, MODEL)), g);
    expect(Array.from(boxed.labels)).toEqual([1, 2, 3]);
    expect(Array.from(boxed.coords)).toEqual([256, 128, 0, 0, 1024, 512]);
  });

  it('truncates float labels toward zero, as torch.as_tensor(dtype=int) does', () => {
    const prompts = checkPrompts(parseRequest({ image, point_coords: '[[1,1],[2,2]]', point_labels: '[1.9, 0.2]' }, MODEL));
    expect(Array.from(prompts.labels)).toEqual([1, 0]);
  });
});

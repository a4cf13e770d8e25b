/**
 * Property-based tests of the request parser and prompt checks (fast-check): whatever a caller
 * sends, the answer is a parsed request or a SegmentAnything2Error in the gateway's shape, never
 * another exception; and well-formed prompts always parse, in every accepted form alike.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SegmentAnything2Error } from '../../lib/errors.js';
import { geometryFor } from '../../lib/pipeline/preprocess.js';
import { checkPrompts, encodePoints } from '../../lib/pipeline/prompts.js';
import { parseRequest } from '../../lib/pipeline/request.js';
import type { SegmentAnything2Request } from '../../lib/types.js';

const MODEL = 'fixture/sam2';
const IMAGE = new Uint8Array([1, 2, 3]);
const FIELDS = ['model_id', 'point_coords', 'point_labels', 'box', 'mask_input', 'multimask_output', 'return_logits', 'normalize_coords'] as const;

/** The whole path up to the model: parsing (rows 1–5) and the prompt checks (row 7). */
function run(request: Record<string, unknown>) {
  const parsed = parseRequest(request as unknown as SegmentAnything2Request, MODEL);
  const prompts = checkPrompts(parsed);
  return { parsed, prompts };
}

/** Runs `request`; any exception must be a SegmentAnything2Error whose JSON is `{"detail": …}`. */
function answersCleanly(request: Record<string, unknown>): void {
  try {
    run(request);
  } catch (e) {
    if (!(e instanceof SegmentAnything2Error)) throw new Error(`uncaught ${String(e)} for ${JSON.stringify(request)}`, { cause: e });
    expect([400, 422]).toContain(e.status);
    expect(Object.keys(JSON.parse(JSON.stringify(e)) as object)).toEqual(['detail']);
  }
}

/** JSON-ish text: real JSON of any shape, near-JSON with mutations, and arbitrary strings. */
const jsonText = fc.oneof(
  fc.json(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string(),
  fc.tuple(fc.json(), fc.nat(40), fc.constantFrom('[', ']', ',', 'NaN', 'Infinity', '-', '"', '\\u', 'e', '.', ' ', '{', '1e400')).map(([s, at, bit]) => s.slice(0, at) + bit + s.slice(at)),
);

/** Values of any type a JavaScript caller might put in a field. */
const anyValue = fc.oneof(
  jsonText,
  fc.jsonValue(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.array(fc.double(), { maxLength: 4 }), { maxLength: 4 }),
  fc.float32Array({ maxLength: 9 }),
  fc.record({ data: fc.float32Array({ maxLength: 8 }), dims: fc.array(fc.integer({ min: -2, max: 4 }), { maxLength: 4 }) }),
  fc.constantFrom('true', 'False', 'yes', 'maybe', '', ' 1', 'ON'),
);

const anyRequest = fc.record(Object.fromEntries(FIELDS.map((f) => [f, anyValue])) as Record<(typeof FIELDS)[number], typeof anyValue>, { requiredKeys: [] });

describe('request parser properties', () => {
  it('answers any field values with a result or a gateway-shaped SegmentAnything2Error', () => {
    fc.assert(
      fc.property(anyRequest, (fields) => answersCleanly({ image: IMAGE, ...fields })),
      { numRuns: 3000 },
    );
  });

  it('answers any image value the same way', () => {
    fc.assert(
      fc.property(fc.oneof(anyValue, fc.object(), fc.uint8Array()), anyRequest, (image, fields) => answersCleanly({ ...fields, image })),
      { numRuns: 1000 },
    );
  });

  /** A finite double in ±max; -0 becomes 0, since JSON text cannot carry the sign of zero. */
  const finite = (max: number) => fc.double({ min: -max, max, noNaN: true }).map((v) => v + 0);

  /** A well-formed prompt set: N points with N 0/1 labels, an optional box, within a W×H image. */
  const prompt = fc
    .record({
      width: fc.integer({ min: 1, max: 8000 }),
      height: fc.integer({ min: 1, max: 8000 }),
      points: fc.array(fc.tuple(finite(1e6), finite(1e6), fc.constantFrom(0, 1)), { maxLength: 8 }),
      box: fc.option(fc.array(finite(1e4), { minLength: 4, maxLength: 4 }), { nil: undefined }),
      family: fc.constantFrom('sam1' as const, 'sam2' as const),
    })
    .filter((p) => p.points.length > 0 || p.box !== undefined);

  it('always parses well-formed prompts, giving finite float32 decoder inputs', () => {
    fc.assert(
      fc.property(prompt, ({ width, height, points, box, family }) => {
        const request = {
          image: IMAGE,
          ...(points.length ? { point_coords: points.map(([x, y]) => [x, y]), point_labels: points.map(([, , l]) => l) } : {}),
          ...(box ? { box } : {}),
        };
        const { prompts } = run(request);
        const encoded = encodePoints(prompts, geometryFor(family, width, height));
        expect(Array.from(encoded.coords).every(Number.isFinite)).toBe(true);
        expect(encoded.labels.length).toBe(encoded.count);
      }),
      { numRuns: 1000 },
    );
  });

  it('parses the JSON string form and the nested-array form of a prompt identically', () => {
    fc.assert(
      fc.property(prompt, ({ points, box }) => {
        const arrays = { point_coords: points.map(([x, y]) => [x, y]), point_labels: points.map(([, , l]) => l), ...(box ? { box } : {}) };
        const strings = Object.fromEntries(Object.entries(arrays).map(([k, v]) => [k, JSON.stringify(v)]));
        const a = run({ image: IMAGE, ...(points.length ? arrays : { box }) });
        const b = run({ image: IMAGE, ...(points.length ? strings : { box: JSON.stringify(box) }) });
        expect(b.prompts).toEqual(a.prompts);
      }),
      { numRuns: 500 },
    );
  });
});

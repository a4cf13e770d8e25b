/**
 * The second reliability corpus (issue 12): numpy's limits on nesting and integers, Python's
 * recursion limit in `json.loads`, and prompts too large for the decoder's memory. Each entry has
 * the runner's status, code and whole body (docs/gateway-contract.md §1.2, §2.1), checked against numpy and
 * CPython 3.11 where they decide the answer.
 */
import type { CorpusEntry } from './corpus.js';

export interface Corpus2Entry extends CorpusEntry {
  /** The whole error body, `JSON.stringify(error)`; the runner's for every entry here. */
  readonly body?: string;
}

const nest = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
/** A JavaScript array nested `depth` deep around 1, built without recursion. */
const nestedArray = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};
const points = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => [i % 40, (i * 7) % 30]));
const labels = (n: number) => JSON.stringify(new Array<number>(n).fill(1));

const msg = (text: string) => JSON.stringify({ detail: { msg: text } });
const TOO_DEEP = msg('setting an array element with a sequence. The requested array would exceed the maximum number of dimension of 32.');
const RAGGED_1 = msg('setting an array element with a sequence. The requested array has an inhomogeneous shape after 1 dimensions. The detected shape was (2,) + inhomogeneous part.');
const OBJECT_ARRAY = msg(
  "Error during model execution: can't convert np.ndarray of type numpy.object_. The only supported types are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool..",
);
/** Starlette's answer to an exception the route does not catch: text/plain, carried as `detail`. */
const INTERNAL = JSON.stringify({ detail: 'Internal Server Error' });
const OOM = msg('Out of memory error. Try reducing input image resolution.');

const bad = (name: string, request: CorpusEntry['request'], status: CorpusEntry['status'], code: string, body: string): Corpus2Entry => ({ name, request, status, code, body });
const ok = (name: string, request: CorpusEntry['request']): Corpus2Entry => ({ name, request, status: 200 });

export const CORPUS2: readonly Corpus2Entry[] = [
  // numpy 1.26: NPY_MAXDIMS is 32.
  bad('point_coords nested 33 deep', { point_coords: nest(33) }, 400, 'RAGGED_ARRAY', TOO_DEEP),
  bad('a box nested 100 deep', { box: nest(100) }, 400, 'RAGGED_ARRAY', TOO_DEEP),
  bad('labels nested 994 deep (json.loads still parses it)', { point_labels: nest(994) }, 400, 'RAGGED_ARRAY', TOO_DEEP),
  bad('mask_input nested 33 deep as a JavaScript array', { mask_input: nestedArray(33) }, 400, 'RAGGED_ARRAY', TOO_DEEP),
  bad('point_coords nested 20,000 deep as a JavaScript array', { point_coords: nestedArray(20_000) }, 400, 'RAGGED_ARRAY', TOO_DEEP),
  bad('a scalar beside a list nested 40 deep', { point_coords: `[1,${nest(40)}]` }, 400, 'RAGGED_ARRAY', RAGGED_1),
  // numpy's own ragged message for an empty row first.
  bad('[[],[1,2]]', { point_coords: '[[],[1,2]]' }, 400, 'RAGGED_ARRAY', RAGGED_1),
  bad('[[1,2],[]]', { point_coords: '[[1,2],[]]' }, 400, 'RAGGED_ARRAY', RAGGED_1),
  // CPython's json.loads: RecursionError past its recursion limit, not a ValueError: Starlette's 500.
  bad('point_coords nested 995 deep', { point_coords: nest(995) }, 500, 'INTERNAL', INTERNAL),
  bad('point_coords nested 20,000 deep', { point_coords: nest(20_000) }, 500, 'INTERNAL', INTERNAL),
  bad('an unclosed nesting 20,000 deep', { box: '['.repeat(20_000) }, 500, 'INTERNAL', INTERNAL),
  bad('objects nested 20,000 deep', { mask_input: `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}` }, 500, 'INTERNAL', INTERNAL),
  bad('invalid JSON before a deep nesting still fails on the first field', { point_coords: '[', box: nest(20_000) }, 400, 'INVALID_JSON', msg('Error parsing JSON for point_coords: Expecting value: line 1 column 2 (char 1)')),
  // Python ints outside int64 and uint64 make numpy build an object array, which torch refuses.
  bad('a coordinate of 10^20 written as an integer', { point_coords: '[[100000000000000000000, 5]]' }, 400, 'INVALID_PROMPT', OBJECT_ARRAY),
  bad('a label of 10^20 written as an integer', { point_labels: '[100000000000000000000]' }, 400, 'INVALID_PROMPT', OBJECT_ARRAY),
  bad('a box corner below -2^63', { box: '[-9223372036854775809, 4, 30, 25]' }, 400, 'INVALID_PROMPT', OBJECT_ARRAY),
  bad('a 10^20 integer as a BigInt', { point_coords: [[10n ** 20n, 5n]] }, 400, 'INVALID_PROMPT', OBJECT_ARRAY),
  ok('a coordinate of 2^63 - 1 (int64)', { point_coords: '[[9223372036854775807, 5]]' }),
  ok('10^20 written as a float', { point_coords: '[[1e20, 5]]' }),
  // More prompt points than the decoder's attention can hold: the runner's out-of-memory 500.
  bad('10,000 points', { point_coords: points(10_000), point_labels: labels(10_000) }, 500, 'OUT_OF_MEMORY', OOM),
  bad('100,000 points', { point_coords: points(100_000), point_labels: labels(100_000) }, 500, 'OUT_OF_MEMORY', OOM),
  bad('100,000 points with one label: the label check comes first', { point_coords: points(100_000), point_labels: '[1]' }, 400, 'INVALID_PROMPT',
    msg('Error during model execution: The shape of the mask [1, 4] at index 1 does not match the shape of the indexed tensor [1, 100003, 256] at index 1.')),
  ok('1,000 points', { point_coords: points(1_000), point_labels: labels(1_000) }),
];

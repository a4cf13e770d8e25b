/**
 * Malformed and edge-case requests, with the answer the runner gives (docs/gateway-contract.md §2). Shared
 * by the Node corpus test and the browser test that sends part of it through the worker.
 *
 * `status: 200` entries are requests that look wrong but that the runner answers: negative and
 * huge coordinates (no range check), unknown fields (FastAPI ignores them), a 1×1 image.
 */
import type { SegmentAnything2Request } from '../../lib/types.js';

export interface CorpusEntry {
  readonly name: string;
  /** Fields replacing the valid base request's; `image: undefined` removes the image. */
  readonly request: Partial<Record<keyof SegmentAnything2Request | string, unknown>>;
  readonly status: 200 | 400 | 422 | 500;
  readonly code?: string;
  /** A substring of the error body's JSON. */
  readonly body?: string;
}

/** Images the corpus refers to by name; each test platform makes the bytes. */
export type ImageName =
  | 'png'
  | 'truncatedPng'
  | 'truncatedJpeg'
  | 'empty'
  | 'text'
  | 'html'
  | 'onePixel'
  | 'bombPng'
  | 'bombGif'
  | 'bombJpeg'
  | 'bmp'
  | 'ico'
  | 'ppm'
  | 'tga'
  | 'svg'
  | 'avif'
  | 'bombTga'
  | 'bombPpm'
  | 'ppmTooLarge';

const MIB = 1024 * 1024;
const big = (fill: string) => `[${fill.repeat(Math.ceil(MIB / fill.length))}0]`;
const plane = (rows: number, cols: number) => Array.from({ length: rows }, () => new Array<number>(cols).fill(0));

const bad = (name: string, request: CorpusEntry['request'], status: CorpusEntry['status'], code: string, body?: string): CorpusEntry => ({ name, request, status, code, body });
const ok = (name: string, request: CorpusEntry['request']): CorpusEntry => ({ name, request, status: 200 });
const image = (name: ImageName) => ({ image: `image:${name}` });

const PIPELINE = 'Segment-anything-2 pipeline error.';
const EXEC = 'Error during model execution: ';

export const CORPUS: readonly CorpusEntry[] = [
  // Row 1: a text part over 1 MiB.
  bad('point_coords over 1 MiB', { point_coords: big('1,') }, 400, 'PART_TOO_LARGE', '"detail":"Part exceeded maximum size of 1024KB."'),
  bad('mask_input over 1 MiB', { mask_input: big('0.1234,') }, 400, 'PART_TOO_LARGE'),
  bad('model_id over 1 MiB', { model_id: 'x'.repeat(MIB + 1) }, 400, 'PART_TOO_LARGE'),
  bad('a multi-byte text field over 1 MiB in UTF-8', { box: `[${'é'.repeat(MIB / 2 + 1)}]` }, 400, 'PART_TOO_LARGE'),
  // Row 2: FastAPI validation, 422.
  bad('no image', { image: undefined }, 422, 'VALIDATION', '"type":"missing"'),
  bad('image null', { image: null }, 422, 'VALIDATION', '"loc":["body","image"]'),
  bad('image as a text field', { image: 'cat.png' }, 422, 'VALIDATION', 'Expected UploadFile'),
  bad('image as a number', { image: 42 }, 422, 'VALIDATION', 'Expected UploadFile'),
  bad('image as an empty string (not sent)', { image: '' }, 422, 'VALIDATION', '"type":"missing"'),
  bad('multimask_output "maybe"', { multimask_output: 'maybe' }, 422, 'VALIDATION', '"input":"maybe"'),
  bad('return_logits "maybe"', { return_logits: 'maybe' }, 422, 'VALIDATION', '"loc":["body","return_logits"]'),
  bad('normalize_coords "nope"', { normalize_coords: 'nope' }, 422, 'VALIDATION', 'bool_parsing'),
  bad('multimask_output "2"', { multimask_output: '2' }, 422, 'VALIDATION', 'bool_parsing'),
  bad('multimask_output "truee"', { multimask_output: 'truee' }, 422, 'VALIDATION', 'bool_parsing'),
  bad('multimask_output as an array', { multimask_output: [true] }, 422, 'VALIDATION', 'bool_parsing'),
  bad('two bad booleans, listed together', { multimask_output: 'maybe', return_logits: 'perhaps' }, 422, 'VALIDATION', '"input":"perhaps"'),
  bad('no image and a bad boolean, listed together', { image: undefined, normalize_coords: 'x' }, 422, 'VALIDATION', 'normalize_coords'),
  bad('validation runs before model_id', { image: undefined, model_id: 'other/model' }, 422, 'VALIDATION'),
  bad('model_id as an object', { model_id: { id: 'x' } }, 422, 'VALIDATION', '"type":"string_type"'),
  // Row 4: model_id.
  bad('another gateway model id', { model_id: 'facebook/sam2-hiera-tiny' }, 400, 'MODEL_MISMATCH', 'but called with facebook/sam2-hiera-tiny.'),
  bad('an unknown model id', { model_id: 'acme/not-a-model' }, 400, 'MODEL_MISMATCH'),
  bad('a model id of one space', { model_id: ' ' }, 400, 'MODEL_MISMATCH'),
  bad('model_id runs before JSON parsing', { model_id: 'acme/x', point_coords: '[' }, 400, 'MODEL_MISMATCH'),
  // Row 5a: invalid JSON (CPython's json.loads messages).
  bad('an unclosed array', { point_coords: '[' }, 400, 'INVALID_JSON', 'Error parsing JSON for point_coords: Expecting value: line 1 column 2 (char 1)'),
  bad('a trailing comma (CPython 3.11 message)', { point_coords: '[[1,2],]' }, 400, 'INVALID_JSON', 'Expecting value: line 1 column 8 (char 7)'),
  bad('extra data after the array', { point_coords: '[[1,2]]]' }, 400, 'INVALID_JSON', 'Extra data: line 1 column 8 (char 7)'),
  bad('a trailing comma in labels', { point_labels: '[1,]' }, 400, 'INVALID_JSON', 'Error parsing JSON for point_labels'),
  bad('braces for a box', { box: '{1,2,3,4}' }, 400, 'INVALID_JSON', 'Expecting property name enclosed in double quotes'),
  bad('an unclosed mask_input', { mask_input: '[[[' }, 400, 'INVALID_JSON', 'Error parsing JSON for mask_input'),
  bad('numpy-style spaces between numbers', { point_coords: '[[10 20]]' }, 400, 'INVALID_JSON', "Expecting ',' delimiter"),
  bad('Python single quotes', { point_coords: "[['1', '2']]" }, 400, 'INVALID_JSON'),
  bad('a hex literal', { box: '[0x10, 1, 2, 3]' }, 400, 'INVALID_JSON'),
  bad('Python True', { point_labels: '[True]' }, 400, 'INVALID_JSON'),
  bad('a JSON comment', { point_coords: '[[1,2]] // click' }, 400, 'INVALID_JSON', 'Extra data'),
  bad('only whitespace', { point_coords: '   ' }, 400, 'INVALID_JSON', 'Expecting value'),
  bad('the first failing JSON field wins, in the runner order', { box: '[', point_coords: '{' }, 400, 'INVALID_JSON', 'for point_coords'),
  // Row 5b: ragged arrays (numpy's message).
  bad('ragged points', { point_coords: '[[1,2],[3]]' }, 400, 'RAGGED_ARRAY', 'inhomogeneous shape after 1 dimensions. The detected shape was (2,) + inhomogeneous part.'),
  bad('ragged boxes', { box: '[[1,2,3,4],[1,2]]' }, 400, 'RAGGED_ARRAY'),
  bad('a ragged mask_input', { mask_input: '[[[1,2],[3]]]' }, 400, 'RAGGED_ARRAY', 'after 2 dimensions'),
  bad('a number beside a list', { point_labels: '[[1],1]' }, 400, 'RAGGED_ARRAY'),
  // NaN and Infinity: Python's json accepts them; the model would return NaN masks, so they are refused.
  bad('NaN in points', { point_coords: '[[NaN, 10]]' }, 400, 'INVALID_PROMPT', 'finite'),
  bad('Infinity in points', { point_coords: '[[Infinity, 10]]' }, 400, 'INVALID_PROMPT', 'finite'),
  bad('-Infinity in a box', { box: '[0, 0, -Infinity, 10]' }, 400, 'INVALID_PROMPT', 'finite'),
  bad('NaN in labels', { point_labels: '[NaN]' }, 400, 'INVALID_PROMPT'),
  bad('NaN in a typed-array box', { box: new Float32Array([0, 0, Number.NaN, 5]) }, 400, 'INVALID_PROMPT'),
  bad('a coordinate beyond float32', { point_coords: '[[1e300, 10]]' }, 400, 'INVALID_PROMPT'),
  // Row 7: prompts the model cannot take.
  bad('points without labels', { point_labels: undefined }, 400, 'INVALID_PROMPT', `${EXEC}point_labels must be supplied if point_coords is supplied..`),
  bad('2 points and 1 label', { point_coords: '[[5,5],[9,9]]', point_labels: '[1]' }, 400, 'INVALID_PROMPT', 'does not match the shape of the indexed tensor'),
  bad('1 point and 2 labels', { point_labels: '[1,0]' }, 400, 'INVALID_PROMPT'),
  bad('2-D labels', { point_coords: '[[5,5],[9,9]]', point_labels: '[[1,0]]' }, 400, 'INVALID_PROMPT'),
  bad('a 3-value box', { box: '[1,2,3]' }, 400, 'INVALID_PROMPT', "shape '[-1, 2, 2]' is invalid for input of size 3"),
  bad('a 5-value box', { box: '[1,2,3,4,5]' }, 400, 'INVALID_PROMPT', 'input of size 5'),
  bad('mask_input 1×128×128', { mask_input: [plane(128, 128)] }, 400, 'INVALID_PROMPT', 'mask_input must have shape'),
  bad('mask_input 256×256 (2-D)', { mask_input: plane(256, 256) }, 400, 'INVALID_PROMPT', 'mask_input must have shape'),
  bad('mask_input 3×256×256', { mask_input: { data: new Float32Array(3 * 65536), dims: [3, 256, 256] } }, 400, 'INVALID_PROMPT'),
  bad('string coordinates', { point_coords: '[["a","b"]]' }, 400, 'INVALID_PROMPT', 'numpy.str_'),
  bad('null in a box', { box: '[null, 1, 2, 3]' }, 400, 'INVALID_PROMPT', 'numpy.object_'),
  bad('an object for points', { point_coords: '{"x": 1, "y": 2}' }, 400, 'INVALID_PROMPT'),
  bad('points given as one flat pair', { point_coords: '[10, 20]' }, 400, 'INVALID_PROMPT'),
  bad('points nested three deep', { point_coords: '[[[10, 20]]]' }, 400, 'INVALID_PROMPT'),
  bad('3-D coordinates', { point_coords: '[[1,2,3]]' }, 400, 'INVALID_PROMPT'),
  // Row 6: images that cannot be decoded, and decompression bombs: 500 with the route's message.
  bad('non-image bytes', image('text'), 500, 'IMAGE_DECODE', PIPELINE),
  bad('an HTML page', image('html'), 500, 'IMAGE_DECODE', PIPELINE),
  bad('a 0-byte file', image('empty'), 500, 'IMAGE_DECODE', PIPELINE),
  // Pillow 10.3 cannot open SVG or AVIF: the runner answers them as undecodable.
  bad('an SVG image', image('svg'), 500, 'IMAGE_DECODE', PIPELINE),
  bad('an AVIF image', image('avif'), 500, 'IMAGE_DECODE', PIPELINE),
  bad('a TGA whose header claims 65535×65535', image('bombTga'), 500, 'IMAGE_DECODE', PIPELINE),
  bad('a PPM whose header claims 20000×20000', image('bombPpm'), 500, 'IMAGE_DECODE', PIPELINE),
  // Pillow raises ValueError here, which the route's ValueError rule answers with 400.
  bad('a plain PPM with a sample above its maxval', image('ppmTooLarge'), 400, 'IMAGE_VALUE_ERROR', PIPELINE),
  bad('a PNG whose header claims 20000×20000', image('bombPng'), 500, 'IMAGE_DECODE', PIPELINE),
  bad('a GIF whose header claims 65535×65535', image('bombGif'), 500, 'IMAGE_DECODE', PIPELINE),
  bad('a JPEG whose header claims 20000×20000', image('bombJpeg'), 500, 'IMAGE_DECODE', PIPELINE),
  bad('raw pixels of the wrong length', { image: { data: new Uint8Array(10), width: 4, height: 4 } }, 400, 'INVALID_IMAGE', 'raw pixels need 64 bytes'),
  bad('raw pixels 0 wide', { image: { data: new Uint8Array(0), width: 0, height: 4 } }, 400, 'INVALID_IMAGE'),
  bad('an object that is not an image', { image: { hello: 'world' } }, 400, 'INVALID_IMAGE', 'unsupported value'),
  bad('an image handle that was never issued', { image: { id: 'f'.repeat(64), width: 4, height: 4 } }, 400, 'NO_IMAGE'),
  // Answered, as by the runner.
  ok('negative coordinates', { point_coords: '[[-10, -20]]' }),
  ok('huge coordinates', { point_coords: '[[1e30, 1e30]]' }),
  ok('a box with its corners swapped', { point_coords: undefined, point_labels: undefined, box: '[30, 25, 5, 4]' }),
  ok('an unknown field (ignored, as FastAPI does)', { colour: 'blue' }),
  ok('a misspelt field (ignored, as FastAPI does)', { point_cords: '[[1,1]]' }),
  ok('labels without points (ignored)', { point_coords: undefined, point_labels: '[1,0,1]' }),
  ok('empty strings mean "not sent"', { box: '', mask_input: '', multimask_output: '' }),
  ok('a 1×1 image', image('onePixel')),
  // The runner sets LOAD_TRUNCATED_IMAGES: a truncated file decodes as far as its data goes.
  ok('a truncated PNG', image('truncatedPng')),
  ok('a truncated JPEG', image('truncatedJpeg')),
  // Formats Pillow opens.
  ok('a BMP image', image('bmp')),
  ok('an ICO image', image('ico')),
  ok('a PPM image', image('ppm')),
  ok('a TGA image', image('tga')),
];

/** The valid request every corpus entry modifies. */
export const BASE_REQUEST = { point_coords: '[[23,11]]', point_labels: '[1]', box: '[5,4,30,25]' } as const;

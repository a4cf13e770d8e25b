/** close() with work queued, on the in-thread engine: every call settles, nothing runs on released sessions. */
import { describe, expect, it } from 'vitest';
import { createSegmenter } from '../../lib/node.js';
import { fixtureModel } from '../fixtures/models.js';
import { drawImage, texture } from '../helpers.js';

describe('close() while work is queued', () => {
  it('lets the run in progress finish, rejects the queued calls with CLOSED, and every later call too', async () => {
    const segmenter = await createSegmenter({ worker: false, model: fixtureModel('sam2') });
    const prompt = { point_coords: '[[10,10]]', point_labels: '[1]' };
    const calls = [0, 1, 2, 3, 4, 5].map((k) =>
      segmenter.segment({ image: drawImage(64, 48, (x, y) => texture(x + k, y)), ...prompt }).then(
        () => 'answered',
        (e: { code: string }) => e.code,
      ),
    );
    // Let the first call reach the model.
    await new Promise((r) => setTimeout(r, 20));
    await segmenter.close();
    const outcomes = await Promise.all(calls);
    for (const o of outcomes) expect(['answered', 'CLOSED']).toContain(o);
    expect(outcomes.filter((o) => o === 'CLOSED').length).toBeGreaterThanOrEqual(1);
    await expect(segmenter.segment({ image: drawImage(8, 8, texture), ...prompt })).rejects.toMatchObject({ status: 500, code: 'CLOSED' });
    await expect(segmenter.setImage(drawImage(8, 8, texture))).rejects.toMatchObject({ code: 'CLOSED' });
    await segmenter.close(); // idempotent
  });
});

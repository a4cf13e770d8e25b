/** Decoder feeds: a pure function of the contract's names, the prompts and the image's geometry. */
import { describe, expect, it } from 'vitest';
import { decoderFeeds, detectContract, SAM1_NAMES, SAM2_NAMES, type FeedArray } from '../../lib/models/contracts.js';
import { geometryFor } from '../../lib/pipeline/preprocess.js';
import { checkPrompts } from '../../lib/pipeline/prompts.js';
import { parseRequest } from '../../lib/pipeline/request.js';

const prompts = checkPrompts(parseRequest({ image: new Uint8Array(1), point_coords: '[[100,50]]', point_labels: '[1]' }, 'm'));
const sam2 = detectContract(
  { inputNames: [SAM2_NAMES.image], outputNames: [...SAM2_NAMES.embeddings] },
  { inputNames: [...SAM2_NAMES.embeddings, ...SAM2_NAMES.prompts], outputNames: [SAM2_NAMES.masks, SAM2_NAMES.iou] },
);
const sam1 = detectContract(
  { inputNames: ['input_image'], outputNames: ['embedding_out'] },
  { inputNames: [SAM1_NAMES.embeddings, ...SAM1_NAMES.prompts, SAM1_NAMES.origImSize], outputNames: [SAM1_NAMES.masks, SAM1_NAMES.iou] },
);
const dims = (feeds: Record<string, FeedArray | string>) => Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, typeof v === 'string' ? v : v.dims.join('x')]));

describe('decoderFeeds', () => {
  it("feeds every SAM2 decoder input by the contract's names, embeddings passed through by encoder output name", () => {
    const embeddings = { image_embed: 'E', high_res_feats_0: 'F0', high_res_feats_1: 'F1' };
    const feeds = decoderFeeds<FeedArray | string>(sam2, prompts, geometryFor('sam2', 400, 200), embeddings, (a) => a);
    expect(Object.keys(feeds).sort()).toEqual([...SAM2_NAMES.embeddings, ...SAM2_NAMES.prompts].sort());
    expect(dims(feeds)).toMatchObject({ point_coords: '1x1x2', point_labels: '1x1', mask_input: '1x1x256x256', has_mask_input: '1', image_embed: 'E', high_res_feats_0: 'F0', high_res_feats_1: 'F1' });
    expect(Array.from((feeds.point_coords as FeedArray).data)).toEqual([256, 256]);
  });

  it('adds orig_im_size (the resized size) and the padding point for SAM1', () => {
    const feeds = decoderFeeds<FeedArray | string>(sam1, prompts, geometryFor('sam1', 400, 200), { embedding_out: 'E' }, (a) => a);
    expect(Object.keys(feeds).sort()).toEqual([SAM1_NAMES.embeddings, ...SAM1_NAMES.prompts, SAM1_NAMES.origImSize].sort());
    expect(feeds.image_embeddings).toBe('E');
    expect(Array.from((feeds.orig_im_size as FeedArray).data)).toEqual([512, 1024]);
    expect(Array.from((feeds.point_labels as FeedArray).data)).toEqual([1, -1]);
  });

  it('feeds a batch of prompt sets along the first axis; a pruned SAM1 decoder gets no orig_im_size', () => {
    const pruned = detectContract(
      { inputNames: ['input_image'], outputNames: ['embedding_out'] },
      { inputNames: [SAM1_NAMES.embeddings, ...SAM1_NAMES.prompts], outputNames: [SAM1_NAMES.masks, SAM1_NAMES.iou] },
    );
    const other = checkPrompts(parseRequest({ image: new Uint8Array(1), point_coords: '[[10,20]]', point_labels: '[0]' }, 'm'));
    const feeds = decoderFeeds<FeedArray | string>(pruned, [prompts, other], geometryFor('sam1', 400, 200), { embedding_out: 'E' }, (a) => a);
    expect(dims(feeds)).toEqual({ point_coords: '2x2x2', point_labels: '2x2', mask_input: '2x1x256x256', has_mask_input: '1', image_embeddings: 'E' });
    expect(Array.from((feeds.point_labels as FeedArray).data)).toEqual([1, -1, 0, -1]);
    const sam2Feeds = decoderFeeds<FeedArray | string>(sam2, [prompts, other, prompts], geometryFor('sam2', 400, 200), { image_embed: 'E', high_res_feats_0: 'F0', high_res_feats_1: 'F1' }, (a) => a);
    expect(dims(sam2Feeds)).toMatchObject({ point_coords: '3x1x2', has_mask_input: '3' });
    expect(() => decoderFeeds(sam2, [prompts, { ...other, mask: new Float32Array(65536) }], geometryFor('sam2', 4, 2), {}, (a) => a)).toThrow(RangeError);
  });
});

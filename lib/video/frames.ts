/** Frames the engine cannot read directly (`VideoFrame`, `<video>`, and across a worker, elements and canvases) become ImageBitmaps. */
import type { ImageInput } from '../types.js';
import type { VideoFrameInput } from './types.js';

type Ctor = abstract new (...args: never[]) => unknown;
const is = (ctor: Ctor | undefined, v: unknown): boolean => ctor !== undefined && v instanceof ctor;

/**
 * The frame as an image the engine decodes. `forWorker`: also elements and canvases, which cannot be
 * cloned. `bitmap` is set when one was made: the caller closes it (or transfers it).
 */
export async function frameImage(frame: VideoFrameInput, forWorker: boolean): Promise<{ image: ImageInput; bitmap?: ImageBitmap }> {
  const g = globalThis as unknown as Partial<Record<'VideoFrame' | 'HTMLVideoElement' | 'HTMLElement' | 'OffscreenCanvas', Ctor>>;
  const convert = is(g.VideoFrame, frame) || is(g.HTMLVideoElement, frame) || (forWorker && (is(g.HTMLElement, frame) || is(g.OffscreenCanvas, frame)));
  if (!convert) return { image: frame as ImageInput };
  const bitmap = await createImageBitmap(frame as ImageBitmapSource);
  return { image: bitmap, bitmap };
}

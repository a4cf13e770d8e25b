/**
 * onnxruntime's failures as bodies (issue 12, item 6): allocation failures are the runner's
 * out-of-memory 500, and no ERROR_CODE wrapper or build path of onnxruntime reaches a body.
 */
import { describe, expect, it } from 'vitest';
import { decoderAttentionBytes, WASM_HEAP_LIMIT_BYTES } from '../../lib/engine/memory-guard.js';
import { ortMessage, OrtRuntime, type OrtSession } from '../../lib/engine/ort-runtime.js';
import type { OrtModule } from '../../lib/platform/platform.js';

/** What onnxruntime-web 1.30 threw here for 10,000 and 100,000 prompt points (before the guard). */
const BAD_ALLOC = 'failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc';
const TOO_LARGE =
  'failed to call OrtRun(). ERROR_CODE: 2, ERROR_MESSAGE: /mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/framework/op_kernel.cc:83 ' +
  'virtual OrtValue *onnxruntime::OpKernelContext::OutputMLValue(int, const TensorShape &) [ONNXRuntimeError] : 2 : INVALID_ARGUMENT : Tensor shape is too large\n';
const SHAPE =
  "failed to call OrtRun(). ERROR_CODE: 2, ERROR_MESSAGE: /onnxruntime_src/onnxruntime/core/providers/cpu/math/element_wise_ops.h:560 void onnxruntime::BroadcastIterator::Append(ptrdiff_t, ptrdiff_t) axis == 1 || axis == largest was false. Attempting to broadcast an axis by a dimension other than 1. 2 by 3\n";

async function failWith(text: string) {
  const runtime = new OrtRuntime({} as OrtModule, 'wasm');
  const session = { run: () => Promise.reject(new Error(text)) } as unknown as OrtSession;
  return runtime.run(session, {}, ['out']).then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('onnxruntime failures', () => {
  it.each([
    ['std::bad_alloc', BAD_ALLOC],
    ['Tensor shape is too large', TOO_LARGE],
  ])('%s is the runner\'s out-of-memory 500', async (_, text) => {
    const e = await failWith(text);
    expect(e).toMatchObject({ status: 500, code: 'OUT_OF_MEMORY' });
    expect(JSON.stringify(e)).toBe('{"detail":{"msg":"Out of memory error. Try reducing input image resolution."}}');
  });

  it('other failures keep onnxruntime\'s message, without its wrapper or build paths', async () => {
    const e = await failWith(SHAPE);
    expect(e).toMatchObject({ status: 400, code: 'INFERENCE' });
    expect(JSON.stringify(e)).toBe(
      '{"detail":{"msg":"Error during model execution: axis == 1 || axis == largest was false. Attempting to broadcast an axis by a dimension other than 1. 2 by 3."}}',
    );
  });

  it('ortMessage strips Windows paths too, and leaves plain text alone', () => {
    expect(ortMessage('C:\\a\\_work\\1\\s\\onnxruntime\\core\\session\\inference_session.cc:1234 onnxruntime::InferenceSession::Run(x) Invalid input name: foo')).toBe('Invalid input name: foo');
    expect(ortMessage('Some plain failure.')).toBe('Some plain failure.');
  });
});

describe('the decoder memory guard', () => {
  it('refuses exactly the point counts whose attention cannot fit in a wasm32 heap', () => {
    // 10,000 points: two float32 [8, T, T] tensors are 6.4 GB, past 4 GiB.
    expect(decoderAttentionBytes(10_000)).toBeGreaterThan(WASM_HEAP_LIMIT_BYTES);
    // 5,000 points ran here (1.5 GB of heap growth): not refused.
    expect(decoderAttentionBytes(5_000)).toBeLessThan(WASM_HEAP_LIMIT_BYTES);
  });
});

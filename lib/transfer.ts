/**
 * comlink's built-in `throw` handler keeps only an error's name, message and stack. This wraps it so
 * that a SegmentAnything2Error crosses the worker boundary whole: status, code and detail.
 * Installed by both sides (the client and the worker entry); idempotent.
 */
import { transferHandlers, type TransferHandler } from 'comlink';
import { SegmentAnything2Error, type ErrorDetail, type SegmentAnything2ErrorCode } from './errors.js';

interface WireError {
  readonly segmentAnything2: { status: number; code: SegmentAnything2ErrorCode; detail: ErrorDetail };
}

let installed = false;

export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const base = transferHandlers.get('throw') as TransferHandler<{ value: unknown }, unknown>;
  transferHandlers.set('throw', {
    canHandle: base.canHandle,
    serialize(thrown: { value: unknown }) {
      const e = thrown.value;
      if (e instanceof SegmentAnything2Error) {
        const wire: WireError = { segmentAnything2: { status: e.status, code: e.code, detail: e.detail } };
        return [wire, []];
      }
      return base.serialize(thrown);
    },
    deserialize(serialized: unknown) {
      const wire = serialized as Partial<WireError>;
      if (wire && typeof wire === 'object' && wire.segmentAnything2) throw new SegmentAnything2Error(wire.segmentAnything2);
      return base.deserialize(serialized);
    },
  } satisfies TransferHandler<{ value: unknown }, unknown>);
}

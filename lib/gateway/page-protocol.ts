/** Messages between the service worker's gateway route and a page that answers with its segmenter. */

export const GATEWAY_MESSAGE = 'sam2-web:gateway-request';

/** Service worker → page, with a MessagePort for the reply. */
export interface GatewayMessage {
  readonly type: typeof GATEWAY_MESSAGE;
  /** The path (and query) after the configured prefix, e.g. `/segment-anything-2`. */
  readonly route: string;
  readonly method: string;
  readonly headers: [string, string][];
  readonly body: ArrayBuffer;
}

/** Page → service worker: `accepted` at once, then the response (or `unavailable`). */
export type GatewayReply =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'unavailable' }
  | { readonly kind: 'response'; readonly status: number; readonly headers: [string, string][]; readonly body: ReadableStream<Uint8Array> | ArrayBuffer };

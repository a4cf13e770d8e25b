/** Names shared by the gateway handler and the remote engine. */

/** The route's path, as registered by the runner. */
export const SEGMENT_PATH = '/segment-anything-2';
/** Response header with the error's stable `SegmentAnything2Error.code`, for clients of this library. */
export const ERROR_CODE_HEADER = 'x-sam2-error-code';
/** Response header `answerGatewayRequests` adds (value `page`): the answer came from a page's segmenter, not the network. */
export const SERVED_BY_HEADER = 'x-sam2-web-served-by';

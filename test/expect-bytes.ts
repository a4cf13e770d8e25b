/** Byte equality for tests, without vitest's element-by-element deep equality (slow on megabytes). */
import { expect } from 'vitest';

export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  expect(Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(expected)).toBe(true);
}

/** The error table is the one source of codes and statuses, and the README lists it as it is. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorOf, SegmentAnything2Error, type SegmentAnything2ErrorCode } from '../lib/errors.js';

/** The README's table, as generated from ERROR_CODES. */
function readmeTable(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, { status, meaning }]) => `| \`${code}\` | ${status} | ${meaning} |`);
  return ['| code | status | meaning |', '|---|---|---|', ...rows].join('\n');
}

describe('error table', () => {
  it("is the README's error list, row for row (paste the table below into the README when it changes)", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme, readmeTable()).toContain(readmeTable());
    expect(readme).toContain('`NO_IMAGE`');
  });

  it('gives every code its status from the table, with the runner-shaped detail', () => {
    for (const code of Object.keys(ERROR_CODES) as SegmentAnything2ErrorCode[]) {
      const e = errorOf(code, 'why');
      expect(e).toBeInstanceOf(SegmentAnything2Error);
      expect([e.code, e.status]).toEqual([code, ERROR_CODES[code].status]);
      // Starlette's form errors are bare strings; INTERNAL's is the text of Starlette's text/plain 500.
      expect(JSON.stringify(e)).toBe(['PART_TOO_LARGE', 'MULTIPART', 'INTERNAL'].includes(code) ? '{"detail":"why"}' : '{"detail":{"msg":"why"}}');
    }
    const issues = [{ type: 'missing' as const, loc: ['body', 'image'] as ['body', string], msg: 'Field required', input: null }];
    expect(JSON.stringify(errorOf('VALIDATION', issues))).toBe('{"detail":[{"type":"missing","loc":["body","image"],"msg":"Field required","input":null}]}');
  });

  it("keeps the runner's statuses: row 6 (image decoding) is a 500, row 7 (model execution) a 400", () => {
    expect(ERROR_CODES.IMAGE_DECODE.status).toBe(500);
    expect(ERROR_CODES.INFERENCE.status).toBe(400);
    expect(ERROR_CODES.INVALID_PROMPT.status).toBe(400);
    expect(ERROR_CODES.OUT_OF_MEMORY.status).toBe(500);
  });
});

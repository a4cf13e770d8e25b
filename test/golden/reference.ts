/** Typed access to test/golden/reference.json (made by generate.py from numpy, Pillow and CPython). */
import { readFileSync } from 'node:fs';

interface ResizeSet {
  src: { w: number; h: number; data: number[] };
  cases: Array<{ w: number; h: number; data: number[] }>;
}

export interface Reference {
  json_errors: Array<[string, string]>;
  ragged: Array<[string, string]>;
  shapes: Array<[string, number[], string]>;
  repr: Array<[number, string]>;
  list_repr: { data: number[]; dims: number[]; str: string };
  argsort: Array<[number[], number[]]>;
  resize_f: ResizeSet;
  resize_rgb: ResizeSet;
}

export const reference: Reference = JSON.parse(readFileSync(new URL('./reference.json', import.meta.url), 'utf8'));

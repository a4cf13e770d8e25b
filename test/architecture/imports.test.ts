/**
 * The source tree's shape: no import cycles in lib/ and worker/ (type-only imports count too), the
 * platform layer never reaches up into the engine, nothing asks for the platform's name, errors
 * come from one factory, and no source file is over 300 lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

const files = [...sources('lib'), ...sources('worker')];

/** Relative imports and re-exports of a file (static, dynamic and type-only), as repo paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specs.map((s) => relative(root, resolve(root, dirname(file), s)).replace(/\.js$/, '.ts'));
}

function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('source layout', () => {
  it('finds a cycle when there is one (the checker itself)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(findCycles(g)).toEqual([['a', 'b', 'c', 'a']]);
    expect(findCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  it('has no import cycles in lib/ and worker/', () => {
    expect(files.length).toBeGreaterThan(30);
    expect(findCycles(graph)).toEqual([]);
  });

  it('keeps lib/platform below lib/engine', () => {
    const upward = [...graph].filter(([f]) => f.startsWith('lib/platform/')).flatMap(([f, deps]) => deps.filter((d) => d.startsWith('lib/engine/')).map((d) => `${f} -> ${d}`));
    expect(upward).toEqual([]);
  });

  it('the wire protocol and the options leaf import only types, and only downward', () => {
    for (const leaf of ['lib/protocol.ts', 'lib/options.ts']) {
      const text = readFileSync(join(root, leaf), 'utf8');
      expect(text).not.toMatch(/^import (?!type )/m);
      expect(graph.get(leaf)!.filter((d) => /lib\/(segmenter|worker-client|index|node|engine\/)/.test(d))).toEqual([]);
    }
  });

  it('asks the platform what it can do, never its name', () => {
    const byName = files.filter((f) => /platform\.name\s*[!=]==/.test(readFileSync(join(root, f), 'utf8')));
    expect(byName).toEqual([]);
  });

  it('builds every error through the one factory of lib/errors.ts (transfer.ts only rebuilds what crossed a worker)', () => {
    const adHoc = files.filter((f) => !['lib/errors.ts', 'lib/transfer.ts'].includes(f) && /new SegmentAnything2Error\(/.test(readFileSync(join(root, f), 'utf8')));
    expect(adHoc).toEqual([]);
  });

  it('has no source file over 300 lines', () => {
    const long = files.map((f) => [f, readFileSync(join(root, f), 'utf8').split('\n').length] as const).filter(([, n]) => n > 300);
    expect(long).toEqual([]);
  });
});

describe('public surface', () => {
  it('exports no internal helpers from the package entries', async () => {
    const [browser, node] = await Promise.all([import('../../lib/index.js'), import('../../lib/node.js')]);
    const runtime = ['AUTOMATIC_DEFAULTS', 'ERROR_CODES', 'GATEWAY_DEFAULT_MODEL_ID', 'SAM2_MODELS', 'SAM2_VIDEO_MODELS', 'SegmentAnything2Error', 'answerGatewayRequests', 'binaryMask', 'createGatewayHandler', 'createSegmenter', 'createVideoTracker', 'cutout', 'maskToPolygon', 'maskToRgba', 'toCocoRle', 'toGatewayJSON', 'toGatewayJSONStream'];
    expect(Object.keys(node).sort()).toEqual(runtime);
    expect(Object.keys(browser).sort()).toEqual([...runtime, 'deleteCachedModel', 'listCachedModels'].sort());
    expect(readFileSync(join(root, 'lib/api.ts'), 'utf8').split('\n').length).toBeLessThanOrEqual(30);
  });
});

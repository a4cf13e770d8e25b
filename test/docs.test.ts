/**
 * Every document the code cites exists in the repository, with every section number cited. A
 * citation is a path ending in `.md`, optionally followed by section numbers (`docs/models.md §2, §3`);
 * a path is looked up from the repository root, then beside the citing file, then in docs/.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const SOURCES = ['lib', 'worker', 'demo', 'test', 'bench', 'vite.config.ts'];
/** Generated or installed folders, not sources. */
const SKIP = new Set(['node_modules', 'dist', join('test', 'fixtures', 'models')]);
const CITATION = /([\w./-]*[\w-]\.md)\b((?:\s*(?:§\d+(?:\.\d+)*|[–,-]|and)\s*)*)/g;

function sourceFiles(path: string): string[] {
  if (statSync(path).isFile()) return /\.(ts|mts|mjs|js|html)$/.test(path) ? [path] : [];
  return readdirSync(path)
    .map((name) => join(path, name))
    .filter((child) => !SKIP.has(basename(child)) && !SKIP.has(relative(ROOT, child)))
    .flatMap(sourceFiles);
}

/** Section numbers of a markdown file's headings (`## 2. Errors`, `### 4.1 Preprocessing`). */
function sections(doc: string): Set<string> {
  return new Set([...readFileSync(doc, 'utf8').matchAll(/^#{2,6}\s+(\d+(?:\.\d+)*)\.?\s/gm)].map((m) => m[1]!));
}

function resolveDoc(cited: string, from: string): string | undefined {
  return [join(ROOT, cited), join(dirname(from), cited), join(ROOT, 'docs', basename(cited))].find((p) => existsSync(p));
}

const citations = SOURCES.map((s) => join(ROOT, s))
  .flatMap(sourceFiles)
  .filter((file) => file !== import.meta.filename)
  .flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(CITATION)].map((m) => ({
      at: relative(ROOT, file),
      cited: m[1]!,
      sections: [...m[2]!.matchAll(/§(\d+(?:\.\d+)*)/g)].map((s) => s[1]!),
    })),
  );

describe('cited documents', () => {
  it('finds the citations (the scan itself works)', () => {
    expect(citations.filter((c) => c.cited.startsWith('docs/')).length).toBeGreaterThan(10);
    expect(citations).toContainEqual({ at: join('lib', 'models', 'onnx-repair.ts'), cited: 'docs/models.md', sections: ['4'] });
    expect(sections(join(ROOT, 'docs/gateway-contract.md'))).toContain('4.3');
  });

  it('every cited document exists, with every cited section', () => {
    const broken: string[] = [];
    for (const c of citations) {
      const doc = resolveDoc(c.cited, join(ROOT, c.at));
      if (!doc) {
        broken.push(`${c.at}: ${c.cited} does not exist`);
        continue;
      }
      const known = sections(doc);
      for (const s of c.sections) if (!known.has(s)) broken.push(`${c.at}: ${c.cited} has no §${s}`);
    }
    expect(broken).toEqual([]);
  });

  it('cites the project’s documents by their docs/ path', () => {
    const docs = new Set(readdirSync(join(ROOT, 'docs')));
    const bare = citations.filter((c) => !c.cited.startsWith('docs/') && docs.has(basename(c.cited)));
    expect(bare.map((c) => `${c.at}: ${c.cited}`)).toEqual([]);
  });
});

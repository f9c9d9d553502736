/** Shared by the Python reader tests: load a fixture, read it, and check layers against the text. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parsePythonModel } from '../../../src/model/readers/python/index';
import type { ModelSpec, SourcePosition } from '../../../src/model/spec';

export const fixtureDir = resolve(__dirname, '../../../test/fixtures/python');

export function fixtureText(name: string): string {
  return readFileSync(resolve(fixtureDir, name), 'utf8');
}

export function readFixture(name: string): { spec: ModelSpec; text: string } {
  const text = fixtureText(name);
  return { spec: parsePythonModel(text, resolve(fixtureDir, name)), text };
}

/** The source text between two 1-based positions (end exclusive). */
export function textAt(text: string, start: SourcePosition, end: SourcePosition): string {
  const lines = text.split('\n');
  const offset = (p: SourcePosition): number =>
    lines.slice(0, p.line - 1).reduce((n, l) => n + l.length + 1, 0) + p.column - 1;
  return text.slice(offset(start), offset(end));
}

/** [name, className, activation, line, text the definition starts with]. */
export type ExpectedLayer = [string, string, string | null, number, string];

export function assertLayers(spec: ModelSpec, text: string, expected: ExpectedLayer[]): void {
  assert.deepEqual(
    spec.layers.map((l) => [l.name, l.className, l.activation, l.source?.line ?? null]),
    expected.map(([name, cls, act, line]) => [name, cls, act, line]),
  );
  const lines = text.split('\n');
  spec.layers.forEach((layer, i) => {
    const snippet = expected[i]![4];
    const src = layer.source;
    assert.ok(src, `${layer.name} has a source location`);
    const lineText = lines[src.line - 1] ?? '';
    assert.ok(
      lineText.slice(src.column - 1).startsWith(snippet),
      `${layer.name}: line ${src.line} col ${src.column} starts with ${JSON.stringify(snippet)}, got ${JSON.stringify(lineText.slice(src.column - 1, src.column - 1 + 30))}`,
    );
    assert.ok(src.end, `${layer.name} has an end`);
    // The definition's range is one whole call: it starts with the snippet and ends with ')'.
    assert.equal(
      textAt(text, src, src.end).at(-1),
      ')',
      `${layer.name}: its range ends at the call's closing parenthesis`,
    );
  });
}

/** The text of each layer's quick-fix range for its activation (null where there is none). */
export function activationTexts(spec: ModelSpec, text: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const l of spec.layers) {
    const r = l.source?.activationRange;
    out[l.name] = r ? textAt(text, r.start, r.end) : null;
  }
  return out;
}

export function issueAt(spec: ModelSpec, line: number, includes: string): void {
  assert.ok(
    spec.issues.some((i) => i.line === line && i.message.includes(includes)),
    `expected an issue on line ${line} mentioning ${JSON.stringify(includes)}; got ${JSON.stringify(spec.issues.map((i) => `${i.line}: ${i.message}`))}`,
  );
}

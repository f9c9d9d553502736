/** Where the TF.js source fixtures live: beside the repo's test/ (bundled tests run from dist-test/). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const CANDIDATES = [
  join(__dirname, '..', '..', '..', 'test', 'fixtures', 'tfjs'),
  join(process.cwd(), 'test', 'fixtures', 'tfjs'),
];

export const FIXTURES = CANDIDATES.find((p) => existsSync(p)) ?? CANDIDATES[0]!;

export function fixture(name: string): { text: string; file: string } {
  const file = join(FIXTURES, name);
  return { text: readFileSync(file, 'utf8'), file };
}

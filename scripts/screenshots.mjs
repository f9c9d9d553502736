// `npm run screenshots`: copies the screenshots the real-VS-Code suite took (npm run test:e2e,
// test/e2e/.run/artifacts/) and the performance check took (npm run test:perf) into docs/images/,
// where README.md shows them. Run the suites first; a missing screenshot is named, not skipped.
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const artifacts = join(root, 'test/e2e/.run/artifacts');
const images = join(root, 'docs/images');

/** artifact → the name README.md uses. */
const CHOSEN = {
  'dashboard-editor.png': 'dashboard-editor.png',
  'dashboard-compare.png': 'dashboard-compare.png',
  'overview-50-layers.png': 'overview-50-layers.png',
};

mkdirSync(images, { recursive: true });
const missing = [];
for (const [from, to] of Object.entries(CHOSEN)) {
  const source = join(artifacts, from);
  if (!existsSync(source)) {
    missing.push(from);
    continue;
  }
  copyFileSync(source, join(images, to));
  console.log(`docs/images/${to} ← ${from} (${Math.round(statSync(source).size / 1024)} KiB)`);
}
if (missing.length > 0) {
  console.error(
    `missing in ${artifacts}: ${missing.join(', ')} — run \`npm run test:e2e\` (and \`npm run test:perf\` for the overview)`,
  );
  process.exit(1);
}

/**
 * The files an HTML report inlines, read from the installed package: dist/webview.js, the CSS and
 * the icon font (as a data: URI). Found from the running bundle's folder upwards (the CLI and the
 * extension run from dist/, tests from dist-test/), so every way of running finds the same files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from './errors';
import type { ReportAssets } from './report-html';

/** The nearest folder at or above `from` whose package.json is this package's. */
export function packageRoot(from: string): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'activation-lens')
          return dir;
      } catch {
        // Another package's unreadable manifest: keep looking upwards.
      }
    }
    if (dirname(dir) === dir) return null;
  }
}

const FILES = {
  script: 'dist/webview.js',
  uplot: 'dist/uPlot.min.css',
  codiconCss: 'dist/codicon.css',
  codiconFont: 'dist/codicon.ttf',
  dashboard: 'media/dashboard.css',
  standalone: 'media/standalone.css',
} as const;

/** Reads every asset, or says which is missing and how to get it. */
export function readReportAssets(root: string | null = packageRoot(__dirname)): ReportAssets {
  const missing = Object.values(FILES).filter((f) => !root || !existsSync(join(root, f)));
  if (!root || missing.length > 0)
    throw new UserError(
      `an HTML report needs the dashboard bundle, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing${root ? ` in ${root}` : ''}`,
      null,
      null,
      'run `npm run build` (or reinstall the extension)',
    );
  const read = (f: string) => readFileSync(join(root, f), 'utf8');
  const font = readFileSync(join(root, FILES.codiconFont)).toString('base64');
  return {
    script: read(FILES.script),
    styles: [read(FILES.uplot), read(FILES.dashboard), read(FILES.standalone)],
    codiconCss: read(FILES.codiconCss).replace(
      /url\((["']?)\.\/codicon\.ttf[^)"']*\1\)/g,
      `url("data:font/ttf;base64,${font}")`,
    ),
  };
}

/** 128 bits from the OS CSPRNG, as CSP nonces should be. */
export function reportNonce(): string {
  return randomBytes(16).toString('base64');
}

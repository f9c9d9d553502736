/**
 * One self-contained HTML file of a run, to share (a pull request, a CI artifact): the dashboard
 * bundle, its styles and icon font inlined, and the run's data embedded as the host messages the
 * dashboard would have received. It makes no request at all: the CSP allows nothing by default,
 * the script and styles only by a nonce, the font only as a data: URI. The dashboard finds the
 * embedded data, renders read-only and never looks for a host. Pure: src/report-assets.ts reads
 * the files.
 */
import { hostMessage, type DashboardState, type HostMessage, type RunComparison } from './protocol';
import { probesForSaving } from './saved-run';

export interface ReportAssets {
  /** dist/webview.js */
  script: string;
  /** uPlot's, the dashboard's and the standalone theme's CSS, in that order. */
  styles: string[];
  /** dist/codicon.css with its font already a data: URI. */
  codiconCss: string;
}

/** The id webview/standalone.ts looks for (EMBEDDED_DATA_ID). */
const DATA_ID = 'activation-lens-data';

export function reportCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    'font-src data:',
    'img-src data:',
  ].join('; ');
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Text inside <script> or <style> ends at the first `</script` / `</style`, and `<!--` changes how
 * the parser reads on: both are broken up with a backslash, which JS strings, regexes and CSS all
 * read as the same character. The sourcemap comment goes: it names a file the page cannot reach.
 */
function rawText(s: string): string {
  return s
    .replace(/<\/(script|style)/gi, '<\\/$1')
    .replace(/<!--/g, '<\\!--')
    .replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
}

/** JSON that cannot end its script element (every `<` escaped; JSON.parse reads it back). */
function embeddedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The messages the page replays: the run's state (its probe history thinned as a saved run's), and a comparison. */
export function reportMessages(
  state: DashboardState,
  comparison: RunComparison | null = null,
): HostMessage[] {
  const messages = [
    hostMessage({ type: 'state', state: { ...state, probes: probesForSaving(state.probes) } }),
  ];
  if (comparison) messages.push(hostMessage({ type: 'run-view', view: { saved: null, comparison } }));
  return messages;
}

export function reportHtml(
  assets: ReportAssets,
  messages: HostMessage[],
  options: { title: string; nonce: string },
): string {
  const { nonce } = options;
  const style = (css: string) => `<style nonce="${nonce}">\n${rawText(css)}\n</style>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(reportCsp(nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="generator" content="Activation Lens">
<title>${escapeHtml(options.title)}</title>
${style(assets.codiconCss)}
${assets.styles.map(style).join('\n')}
</head>
<body>
<main id="app" data-layout="full"><p id="status" data-status="idle">Loading the report…</p></main>
<script type="application/json" id="${DATA_ID}">${embeddedJson(messages)}</script>
<script nonce="${nonce}">
${rawText(assets.script)}
</script>
</body>
</html>
`;
}

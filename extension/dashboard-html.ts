/**
 * The dashboard's HTML shell with a strict Content Security Policy: nothing loads unless it comes
 * from the extension's dist/ or media/ folders (webview.cspSource), and the one script carries a
 * fresh nonce. Pure, so the policy is unit-tested.
 */
import { randomBytes } from 'node:crypto';

export interface DashboardResources {
  /** webview.cspSource */
  cspSource: string;
  scriptUri: string;
  styleUris: string[];
  codiconUri: string;
  /** The sidebar's summary or the editor tab's whole dashboard (webview/dashboard.ts). */
  layout?: 'compact' | 'full';
}

/** 128 bits from the OS CSPRNG, as CSP nonces should be. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

const escapeAttr = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function dashboardHtml(r: DashboardResources, nonce: string = makeNonce()): string {
  const styles = r.styleUris.map((u) => `  <link rel="stylesheet" href="${escapeAttr(u)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(r.cspSource, nonce))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeAttr(r.codiconUri)}" id="vscode-codicon-stylesheet">
${styles}
  <title>Activation Lens</title>
</head>
<body>
  <main id="app" data-layout="${r.layout ?? 'full'}"><p id="status" data-status="idle">Loading the dashboard…</p></main>
  <script nonce="${escapeAttr(nonce)}" src="${escapeAttr(r.scriptUri)}"></script>
</body>
</html>`;
}

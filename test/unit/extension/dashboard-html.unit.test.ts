import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, dashboardHtml, makeNonce } from '../../../extension/dashboard-html';

const resources = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  styleUris: ['https://file+.vscode-resource.vscode-cdn.net/ext/media/dashboard.css'],
  codiconUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/codicon.css',
};

test('CSP: nothing by default, the script only by nonce, styles and fonts only from the extension', () => {
  const csp = contentSecurityPolicy(resources.cspSource, 'abc');
  assert.match(csp, /^default-src 'none'; /);
  assert.ok(csp.includes(`script-src 'nonce-abc'`));
  assert.ok(csp.includes(`style-src ${resources.cspSource}`));
  assert.ok(csp.includes(`font-src ${resources.cspSource}`));
  assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval') && !csp.includes('*'));
});

test('HTML: one script, carrying the nonce of the CSP; nonces are fresh 128-bit values', () => {
  const html = dashboardHtml(resources, 'N0nce+/=');
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  assert.equal(scripts.length, 1);
  assert.ok(scripts[0]?.includes('nonce="N0nce+/="') && scripts[0].includes(`src="${resources.scriptUri}"`));
  assert.ok(html.includes("script-src 'nonce-N0nce+/='"));
  assert.ok(html.includes('id="status"') && html.includes('id="vscode-codicon-stylesheet"'));
  assert.ok(!/<style|style="/.test(html), 'no inline styles (the CSP would block them)');
  const nonces = new Set(Array.from({ length: 50 }, makeNonce));
  assert.equal(nonces.size, 50);
  assert.equal(Buffer.from(makeNonce(), 'base64').length, 16);
});

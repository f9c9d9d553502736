/** Finding cards: what was seen, the evidence in numbers, and what to do about it. */
import type { Finding, WebviewRequest } from '../src/protocol';
import { webviewRequest } from '../src/protocol';
import { el } from './dom';

const ICON: Record<Finding['severity'], string> = { error: 'error', warning: 'warning', info: 'info' };

export function formatEvidence(value: number | string | number[]): string {
  if (Array.isArray(value))
    return value.length > 12 ? `${value.slice(0, 12).join(', ')} … (${value.length})` : value.join(', ');
  if (typeof value === 'number')
    return Number.isInteger(value)
      ? String(value)
      : Math.abs(value) < 0.01 && value !== 0
        ? value.toExponential(2)
        : value.toFixed(3);
  return value;
}

export function findingCard(f: Finding, post: (r: WebviewRequest) => void): HTMLElement {
  const evidence = el('dl', { class: 'evidence' });
  for (const [k, v] of Object.entries(f.evidence))
    evidence.append(el('dt', {}, k), el('dd', {}, formatEvidence(v)));
  const actions = el('div', { class: 'actions' });
  const layer = f.layer;
  if (f.suggestion && layer) {
    const s = f.suggestion;
    const apply = el('vscode-button', { icon: 'wand', 'data-action': 'apply-fix' }, 'Apply ELU fix');
    apply.addEventListener('click', () => post(webviewRequest({ type: 'apply-fix', layer })));
    const whatIf = el(
      'vscode-button',
      { secondary: '', icon: 'beaker', 'data-action': 'run-what-if' },
      'Run what-if',
    );
    whatIf.addEventListener('click', () => post(webviewRequest({ type: 'run-what-if', layers: [s.layer] })));
    if (f.source) actions.append(apply);
    actions.append(whatIf);
  }
  if (layer && f.source) {
    const goTo = el(
      'vscode-button',
      { secondary: '', icon: 'go-to-file', 'data-action': 'go-to-layer' },
      'Go to layer',
    );
    goTo.addEventListener('click', () => post(webviewRequest({ type: 'go-to-layer', layer })));
    actions.append(goTo);
  }
  const where = f.source ? ` — ${f.source.file.split(/[\\/]/).pop() ?? ''}:${f.source.line}` : '';
  return el(
    'article',
    {
      class: `finding-card severity-${f.severity}`,
      'data-kind': f.kind,
      ...(layer ? { 'data-layer-ref': layer } : {}),
    },
    el(
      'h4',
      {},
      el('span', { class: `codicon codicon-${ICON[f.severity]}` }),
      ` ${layer ?? 'model'} · ${f.kind}${where}`,
    ),
    el('p', { class: 'message' }, f.message),
    evidence,
    // The advisor's rationale already says why, with He init and early stopping where they apply.
    f.suggestion ? el('p', { class: 'rationale' }, f.suggestion.rationale) : null,
    actions,
  );
}

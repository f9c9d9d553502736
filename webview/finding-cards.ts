/**
 * Finding cards: a title (what kind of finding, on which layer, where), the advisor's message
 * once, the suggestion's reasoning without the message it restates, the evidence as a table, and
 * the actions. The advisor writes messages as "dense: 105 of 256 units …" and a suggestion's
 * rationale as the message followed by the why; the card says the layer in its title, so the
 * body drops both repetitions.
 */
import type { Finding, FindingKind, WebviewRequest } from '../src/protocol';
import { webviewRequest } from '../src/protocol';
import { actionButton, el, pct } from './dom';

const ICON: Record<Finding['severity'], string> = { error: 'error', warning: 'warning', info: 'info' };

const TITLE: Record<FindingKind, string> = {
  'dead-units': 'Dead units',
  dying: 'Units dying',
  'never-fires': 'Units that can never fire',
  dormant: 'Dormant units',
  'mean-drift': 'Mean drift',
  'non-finite': 'Non-finite activations',
  saturation: 'Saturated units',
  overfitting: 'Overfitting',
  divergence: 'Training diverged',
  source: 'Model source',
};

/** Evidence keys in words; a key not listed is spelled out from its camelCase. */
const EVIDENCE_LABEL: Record<string, string> = {
  step: 'probe step',
  steps: 'probe steps',
  units: 'units',
  deadCount: 'dead units',
  deadFraction: 'dead share',
  deadUnits: 'dead unit indices',
  observationsPerUnit: 'observations per unit',
  nonFinite: 'non-finite values',
  step0Mean: 'mean at step 0',
  step0Std: 'std at step 0',
  probeSteps: 'probes',
  saturatedCount: 'saturated units',
  dormantCount: 'dormant units',
  count: 'units',
  bestStep: 'best step',
  bestValLoss: 'best validation loss',
  lastValLoss: 'last validation loss',
  trainLossAtBest: 'training loss at best',
  trainLossLast: 'last training loss',
};

export function evidenceLabel(key: string): string {
  return EVIDENCE_LABEL[key] ?? key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

export function formatEvidence(value: number | string | number[], key = ''): string {
  if (Array.isArray(value))
    return value.length > 12 ? `${value.slice(0, 12).join(', ')} … (${value.length})` : value.join(', ');
  if (typeof value === 'number') {
    if (/Fraction$|Share$/.test(key) && value >= 0 && value <= 1) return pct(value);
    return Number.isInteger(value)
      ? String(value)
      : Math.abs(value) < 0.01 && value !== 0
        ? value.toExponential(2)
        : value.toFixed(3);
  }
  return value;
}

/** The message without the "layer: " it starts with (the title names the layer), as a sentence. */
export function messageBody(f: Finding): string {
  const prefix = f.layer ? `${f.layer}: ` : '';
  if (!prefix || !f.message.startsWith(prefix)) return f.message;
  const rest = f.message.slice(prefix.length);
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

/** The suggestion's reasoning without the message it opens with. */
export function rationaleBody(f: Finding): string | null {
  const r = f.suggestion?.rationale.trim();
  if (!r) return null;
  const rest = r.startsWith(f.message) ? r.slice(f.message.length).trim() : r;
  return rest || null;
}

export interface CardActions {
  post: (r: WebviewRequest) => void;
  /** Open the layer's detail (the full dashboard) or the editor tab at it (the sidebar). */
  showLayer: ((layer: string) => void) | null;
}

/**
 * `actions` null: a read-only card (an exported report), nothing to click. `brief`: the sidebar's
 * summary, the title, message and actions only (the editor tab has the reasoning and evidence).
 */
export function findingCard(f: Finding, actions: CardActions | null, brief = false): HTMLElement {
  const layer = f.layer;
  const where = f.source ? `${f.source.file.split(/[\\/]/).pop() ?? ''}:${f.source.line}` : null;
  const evidence = brief ? [] : Object.entries(f.evidence);
  const table =
    evidence.length > 0
      ? el(
          'table',
          { class: 'evidence' },
          el('caption', {}, 'Evidence'),
          el(
            'tbody',
            {},
            ...evidence.map(([k, v]) =>
              el('tr', {}, el('th', { scope: 'row' }, evidenceLabel(k)), el('td', {}, formatEvidence(v, k))),
            ),
          ),
        )
      : null;
  const buttons: HTMLElement[] = [];
  if (actions) {
    const { post, showLayer } = actions;
    if (f.suggestion && layer) {
      const switched = f.suggestion.layer;
      if (f.source)
        buttons.push(
          actionButton('Apply ELU fix', 'wand', 'apply-fix', false, () =>
            post(webviewRequest({ type: 'apply-fix', layer })),
          ),
        );
      buttons.push(
        actionButton('Run what-if', 'beaker', 'run-what-if', true, () =>
          post(webviewRequest({ type: 'run-what-if', layers: [switched] })),
        ),
      );
    }
    if (layer && f.source)
      buttons.push(
        actionButton('Go to layer', 'go-to-file', 'go-to-layer', true, () =>
          post(webviewRequest({ type: 'go-to-layer', layer })),
        ),
      );
    if (layer && showLayer)
      buttons.push(actionButton('Show layer', 'graph', 'show-layer', true, () => showLayer(layer)));
  }
  const rationale = brief ? null : rationaleBody(f);
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
      el('span', { class: `codicon codicon-${ICON[f.severity]}`, 'aria-label': f.severity, role: 'img' }),
      el('span', { class: 'finding-title' }, `${TITLE[f.kind]}${layer ? ` · ${layer}` : ''}`),
      where ? el('span', { class: 'finding-where' }, where) : null,
    ),
    el('p', { class: 'message' }, messageBody(f)),
    rationale ? el('p', { class: 'rationale' }, rationale) : null,
    table,
    buttons.length > 0 ? el('div', { class: 'actions' }, ...buttons) : null,
  );
}

/** The layers table: every tapped layer with its health badge, worst first. */
import type { LayerRow } from './layer-health';
import { el, pct, signed } from './dom';

export function layersTable(rows: LayerRow[], onSelect: (layer: string) => void): HTMLElement {
  const header = el(
    'vscode-table-header',
    { slot: 'header' },
    ...['layer', 'health', 'dead', 'dormant', 'mean'].map((h) => el('vscode-table-header-cell', {}, h)),
  );
  const body = el('vscode-table-body', { slot: 'body' });
  for (const { probe: p, health } of rows) {
    const name = el('a', { href: '#', class: 'layer-link' }, p.layer);
    name.addEventListener('click', (e) => {
      e.preventDefault();
      onSelect(p.layer);
    });
    body.append(
      el(
        'vscode-table-row',
        { 'data-layer-row': p.layer, 'data-health': health },
        el('vscode-table-cell', {}, name),
        el('vscode-table-cell', {}, el('vscode-badge', { class: 'health', 'data-health': health }, health)),
        el('vscode-table-cell', { title: `${p.dead.count} of ${p.units} units` }, pct(p.dead.fraction)),
        el('vscode-table-cell', {}, pct(p.dormant.fraction)),
        el('vscode-table-cell', {}, signed(p.mean)),
      ),
    );
  }
  return el(
    'vscode-table',
    {
      class: 'layers-table',
      zebra: '',
      'bordered-rows': '',
      columns: '["30%","18%","22%","15%","15%"]',
      resizable: '',
    },
    header,
    body,
  );
}

/** The definitions the numbers use, stated in the UI exactly as the engine applies them. */
import { DEFINITIONS } from '../src/protocol';
import { el } from './dom';

const TERMS: Record<string, string> = {
  probeSet: 'probe set',
  dead: 'dead unit',
  saturated: 'saturated unit',
  dormant: 'dormant unit',
  sparsity: 'sparsity',
  meanDrift: 'mean drift',
  neverFires: 'never fires',
};

/** `fromEngine` (run-started.definitions) wins where the engine states its own wording. */
export function definitionsPanel(fromEngine: Record<string, string> | null): HTMLElement {
  const defs = { ...DEFINITIONS, ...(fromEngine ?? {}) };
  const list = el('dl', {});
  for (const [k, v] of Object.entries(defs)) list.append(el('dt', {}, TERMS[k] ?? k), el('dd', {}, v));
  return el('details', { class: 'definitions' }, el('summary', {}, 'Definitions'), list);
}

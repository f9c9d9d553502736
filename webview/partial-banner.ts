/**
 * The partial banner: when parts of the file were left out of the model analysed, the dashboard
 * says so above everything else, listing each part with its line (a click goes to the line), so a
 * partial analysis is never read as the whole model. It also names the file's other models.
 */
import { webviewRequest, type ModelSummary, type WebviewRequest } from '../src/protocol';
import { el } from './dom';

function lineLink(line: number, column: number, post: (r: WebviewRequest) => void): HTMLElement {
  const link = el('a', { href: '#', class: 'line-link', 'data-line': String(line) }, `line ${line}`);
  link.addEventListener('click', (e) => {
    e.preventDefault();
    post(webviewRequest({ type: 'go-to-line', line, column }));
  });
  return link;
}

/** The banner's content for the run's model, or null when the model is the whole file's and alone. */
export function partialBanner(
  model: ModelSummary | null | undefined,
  post: (r: WebviewRequest) => void,
): HTMLElement | null {
  const omitted = model?.omitted ?? [];
  const others = model?.alternatives ?? [];
  if (!model || (omitted.length === 0 && others.length === 0)) return null;
  const box = el('div', { class: omitted.length > 0 ? 'model-note partial-banner' : 'model-note' });
  if (omitted.length > 0) {
    box.setAttribute('role', 'alert');
    box.append(
      el(
        'p',
        { class: 'partial-title' },
        `Partial model: ${omitted.length} part${omitted.length === 1 ? '' : 's'} of the file ${omitted.length === 1 ? 'was' : 'were'} left out of what was analysed. The numbers below describe the rest.`,
      ),
      el(
        'ul',
        { class: 'omitted-parts' },
        ...omitted.map((o) =>
          el(
            'li',
            {},
            o.source ? lineLink(o.source.line, o.source.column, post) : 'no line',
            ` ${o.what} — ${o.reason}`,
          ),
        ),
      ),
    );
  }
  if (others.length > 0) {
    const list = el('p', { class: 'other-models' }, `${model.name} was analysed; this file also defines `);
    others.forEach((a, i) => {
      if (i > 0) list.append(i === others.length - 1 ? ' and ' : ', ');
      list.append(a.name);
      if (a.source) list.append(' (', lineLink(a.source.line, a.source.column, post), ')');
    });
    list.append(' — analyze another with the ▶ lens on its definition.');
    box.append(list);
  }
  return box;
}

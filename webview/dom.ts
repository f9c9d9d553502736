/** Small DOM helpers: text always goes in as textContent, never as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Record<string, string>,
  ...children: (Node | string | null)[]
): HTMLElementTagNameMap[K];
export function el(
  tag: string,
  attrs?: Record<string, string>,
  ...children: (Node | string | null)[]
): HTMLElement;
export function el(
  tag: string,
  attrs: Record<string, string> = {},
  ...children: (Node | string | null)[]
): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children)
    if (c !== null) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

export function pct(fraction: number): string {
  return fraction > 0 && fraction < 0.005 ? '<1%' : `${Math.round(fraction * 100)}%`;
}

export function signed(x: number, digits = 2): string {
  const s = x.toFixed(digits);
  return x >= 0 && !s.startsWith('-') ? `+${s}` : s;
}

/** A toolbar or card button (`data-action` names it for tests and styles); `run` on click. */
export function actionButton(
  label: string,
  icon: string,
  action: string,
  secondary: boolean,
  run: () => void,
): HTMLElement {
  const b = el(
    'vscode-button',
    { icon, 'data-action': action, ...(secondary ? { secondary: '' } : {}) },
    label,
  );
  b.addEventListener('click', run);
  return b;
}

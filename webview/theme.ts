/**
 * Colours for the canvas charts, read from CSS when drawing so theme switches apply. Text, axes,
 * grid and backgrounds are the theme's own (--vscode-* variables); series colours are the
 * dashboard's --al-chart-* variables (media/dashboard.css), a colour-blind-safe palette in shades
 * set per theme kind, since VS Code's --vscode-charts-* pair red with green.
 */
export interface ThemeColors {
  foreground: string;
  grid: string;
  blue: string;
  red: string;
  orange: string;
  yellow: string;
  green: string;
  purple: string;
  /** Another run's series, drawn behind this run's (a comparison). */
  ghost: string;
  heat: [number, number, number];
  background: string;
  /** High-contrast themes: thicker lines, every boundary drawn. */
  highContrast: boolean;
}

export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

/** Parses #rgb / #rrggbb (theme colours are hex) into 0–255 channels. */
export function hexToRgb(hex: string): [number, number, number] | null {
  const h = hex.replace('#', '');
  const full =
    h.length === 3 || h.length === 4 ? [...h.slice(0, 3)].map((c) => c + c).join('') : h.slice(0, 6);
  if (full.length !== 6) return null;
  const n = Number.parseInt(full, 16);
  return Number.isNaN(n) ? null : [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * A hex colour at `alpha`: the ghost lines are the theme's text colour, lighter, so they read as
 * behind this run's series (a dark grey series stays apart by lightness as well as by dash).
 */
export function translucent(color: string, alpha: number): string {
  const rgb = hexToRgb(color);
  return rgb ? `rgba(${rgb[0]},${rgb[1]},${rgb[2]},${alpha})` : color;
}

export function isHighContrast(): boolean {
  const c = document.body.classList;
  return c.contains('vscode-high-contrast') || c.contains('vscode-high-contrast-light');
}

/** The fallbacks are the Okabe–Ito colours, for a page without the dashboard's stylesheet. */
export function themeColors(): ThemeColors {
  const orange = cssVar('--al-chart-orange', '#e69f00');
  return {
    foreground: cssVar('--vscode-foreground', '#cccccc'),
    grid: cssVar('--vscode-editorWidget-border', '#454545'),
    blue: cssVar('--al-chart-blue', '#56b4e9'),
    red: cssVar('--al-chart-red', '#d55e00'),
    orange,
    yellow: cssVar('--al-chart-yellow', '#f0e442'),
    green: cssVar('--al-chart-green', '#009e73'),
    purple: cssVar('--al-chart-purple', '#cc79a7'),
    ghost: translucent(cssVar('--al-ghost', '#9d9d9d'), 0.6),
    heat: hexToRgb(orange) ?? [230, 159, 0],
    background: cssVar('--al-background', '#252526'),
    highContrast: isHighContrast(),
  };
}

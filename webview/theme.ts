/** Colours from the VS Code theme (--vscode-* variables), read when drawing so theme switches apply. */
export interface ThemeColors {
  foreground: string;
  grid: string;
  blue: string;
  red: string;
  orange: string;
  yellow: string;
  green: string;
  purple: string;
  heat: [number, number, number];
  background: string;
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

export function themeColors(): ThemeColors {
  const blue = cssVar('--vscode-charts-blue', '#3794ff');
  return {
    foreground: cssVar('--vscode-foreground', '#cccccc'),
    grid: cssVar('--vscode-editorWidget-border', '#454545'),
    blue,
    red: cssVar('--vscode-charts-red', '#f14c4c'),
    orange: cssVar('--vscode-charts-orange', '#d18616'),
    yellow: cssVar('--vscode-charts-yellow', '#cca700'),
    green: cssVar('--vscode-charts-green', '#89d185'),
    purple: cssVar('--vscode-charts-purple', '#b180d7'),
    heat: hexToRgb(cssVar('--vscode-charts-orange', '#d18616')) ?? [209, 134, 22],
    background: cssVar('--vscode-sideBar-background', '#252526'),
  };
}

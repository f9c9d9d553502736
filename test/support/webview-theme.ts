/**
 * VS Code's colour variables as its Dark Modern theme sets them in a webview, for the pages that
 * load the dashboard bundle outside VS Code (unit render test, performance check): without them
 * every `var(--vscode-…)` falls back and the page is drawn on white. Applied through the CSSOM
 * (`style.setProperty`), which the dashboard's CSP allows.
 */
export const DARK_THEME: Record<string, string> = {
  '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': '"Droid Sans Mono", monospace',
  '--vscode-foreground': '#cccccc',
  '--vscode-sideBar-background': '#181818',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-sideBarSectionHeader-foreground': '#cccccc',
  '--vscode-widget-border': '#313131',
  '--vscode-editorWidget-border': '#454545',
  '--vscode-editorWidget-background': '#202020',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-border': '#ffffff12',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-textLink-foreground': '#4daafc',
  '--vscode-errorForeground': '#f85149',
  '--vscode-editorError-foreground': '#f14c4c',
  '--vscode-editorWarning-foreground': '#cca700',
  '--vscode-editorInfo-foreground': '#3794ff',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-purple': '#b180d7',
};

/** The source of a function to run in the page (this tsconfig has no DOM lib): sets the variables on <body>. */
export function applyThemeScript(vars: Record<string, string> = DARK_THEME): string {
  return `(() => { const b = document.body; b.classList.add('vscode-dark'); for (const [k, v] of Object.entries(${JSON.stringify(vars)})) b.style.setProperty(k, v); })()`;
}

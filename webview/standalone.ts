/**
 * What the dashboard needs outside VS Code (an exported report opened in a browser): where the
 * page carries its data, and the theme kind VS Code would have set on <body>, here from the
 * browser's colour scheme, so the stylesheet's light and dark colours apply.
 */

/** The `<script type="application/json">` element holding the report's host messages. */
export const EMBEDDED_DATA_ID = 'activation-lens-data';

export function followColorScheme(): void {
  const dark = window.matchMedia('(prefers-color-scheme: dark)');
  const apply = () => {
    document.body.classList.toggle('vscode-dark', dark.matches);
    document.body.classList.toggle('vscode-light', !dark.matches);
  };
  apply();
  dark.addEventListener('change', apply);
}

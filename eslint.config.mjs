// Lint, including the house boundaries (docs/architecture.md "Boundaries"): src/ never imports
// `vscode`; webview/ never imports Node built-ins or `vscode`, and of src/ only the import-free
// modules listed below.
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

// The src/ modules the webview may import: each imports nothing but the types of ./protocol, so
// nothing of Node or VS Code can reach the browser through them.
const webviewShared = ['protocol', 'dashboard-state', 'run-config', 'severity'];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-test/**',
      'node_modules/**',
      'test/e2e/.harness/**',
      'test/e2e/.run/**',
      'test/fixtures/**',
      'data/**',
      '.venv/**',
      '.tfjs-node-local/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'vscode',
              message: 'src/ is the engine: it runs without VS Code (docs/architecture.md "Boundaries").',
            },
          ],
        },
      ],
    },
  },
  {
    // Both sides of the webview boundary import these: they stay import-free (types of protocol.ts
    // only). The activation table is held to the same rule so any side may ask it.
    files: [...webviewShared.map((m) => `src/${m}.ts`), 'src/model/activation-families.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'shared with the webview: import-free.' }],
          patterns: [
            { regex: '^(?!\\./protocol$)', message: 'shared with the webview: import only ./protocol.' },
          ],
        },
      ],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'vscode', message: 'webview/ runs in a browser sandbox.' },
            ...nodeBuiltins.map((name) => ({ name, message: 'webview/ runs in a browser sandbox.' })),
          ],
          patterns: [
            {
              group: ['../src/*', ...webviewShared.flatMap((m) => [`!../src/${m}`, `!../src/${m}.ts`])],
              message: `webview/ may only use the import-free ${webviewShared.map((m) => `src/${m}.ts`).join(', ')}.`,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', 'scripts/**/*.js', 'test/e2e/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);

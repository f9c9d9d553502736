// Lint, including the house boundaries (DESIGN.md): src/ never imports `vscode`; webview/ never
// imports Node built-ins or `vscode`, and of src/ only the import-free shared files below.
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

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
        { paths: [{ name: 'vscode', message: 'src/ is the engine: it runs without VS Code (DESIGN.md).' }] },
      ],
    },
  },
  {
    // Both sides of the webview boundary import these two: they stay import-free (types of
    // protocol.ts only), so nothing of Node or VS Code can reach the browser through them.
    files: ['src/protocol.ts', 'src/dashboard-state.ts'],
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
    // The histogram rule is shared with the webview and restated in Python: it imports nothing.
    files: ['src/histogram.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '.*', message: 'src/histogram.ts is shared with the webview: import-free.' }] },
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
              group: [
                '../src/*',
                '!../src/protocol',
                '!../src/protocol.ts',
                '!../src/dashboard-state',
                '!../src/dashboard-state.ts',
                '!../src/histogram',
                '!../src/histogram.ts',
              ],
              message:
                'webview/ may only use src/protocol.ts, src/dashboard-state.ts and src/histogram.ts (import-free).',
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

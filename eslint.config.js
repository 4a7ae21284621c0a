// ESLint: typescript-eslint's strict type-checked rules for TypeScript sources; Prettier formats.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.venv/**',
      '.venvs/**',
      'python/**',
      'docs/**',
      'bench/.venv-upstream/**',
      'bench/.work/**',
    ],
  },
  js.configs.recommended,
  {
    files: ['**/*.ts', 'packages/web/**/*.tsx'],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/src/**', '@gatehouse/server'],
              message: 'only the CLI and tests may import the server',
            },
          ],
        },
      ],
    },
  },
  {
    // The SDK runs in browsers too: only the wire contract and relative modules, no Node modules.
    files: ['packages/sdk/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/**', '**/cli/**', '@gatehouse/server', '@gatehouse/cli'],
              message: 'the SDK must not import server or CLI code',
            },
            { group: ['node:*'], message: 'the SDK must run in browsers: no Node modules' },
          ],
        },
      ],
    },
  },
  {
    // Size rules (issue 15): no source file over 400 lines and no function over 80, counting
    // every line (blank lines and comments too). Tests are exempt.
    files: ['packages/*/src/**/*.ts', 'packages/*/src/**/*.tsx'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': [
        'error',
        { max: 80, skipBlankLines: false, skipComments: false, IIFEs: true },
      ],
    },
  },
  {
    // node:test's describe() and test() return promises the runner itself awaits.
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
  {
    files: ['packages/server/**/*.ts', 'packages/cli/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        Buffer: 'readonly',
      },
    },
  }
);

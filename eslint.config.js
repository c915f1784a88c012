// ESLint flat config. Besides the usual TypeScript and Svelte rules, it enforces the
// boundary rules of DESIGN.md as lint errors (proved by test/unit/lint/boundaries.test.ts):
//  - engine folders (all of src-main except app/ and cli/) never import `electron`;
//  - the renderer never imports Node built-ins, nor src-main except src-main/shared;
//  - accountants/ and audit/metrics/ are pure math: no tfjs, no I/O.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

const nodeBuiltins = [...new Set(builtinModules.map((m) => m.replace(/^node:/, '')))];

const noElectron = {
  name: 'electron',
  message: 'Engine code must not import Electron (DESIGN.md boundary rule): only src-main/app may.',
};

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'resources/**',
      'coverage/**',
      'test-results/**',
      'test/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig },
    },
  },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/app/**', 'src-main/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [noElectron], patterns: [{ group: ['electron/*'], message: noElectron.message }] },
      ],
    },
  },
  {
    files: ['src-main/accountants/**/*.ts', 'src-main/audit/metrics/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            {
              group: ['@tensorflow/*'],
              message: 'Accountants and audit metrics are pure math over numbers: no tfjs.',
            },
            {
              group: ['node:*', ...nodeBuiltins],
              message: 'Accountants and audit metrics are pure math: no I/O or Node APIs.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            {
              group: ['node:*', ...nodeBuiltins],
              message: 'src-main/shared is compiled into the renderer: no Node modules.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer talks only to the typed API (window.confidant).' },
          ],
          patterns: [
            {
              group: ['node:*', ...nodeBuiltins],
              message: 'The renderer never imports Node modules (DESIGN.md boundary rule).',
            },
            {
              group: ['**/src-main/**', '!**/src-main/shared', '!**/src-main/shared/**'],
              message: 'The renderer may import only src-main/shared (the typed API contract).',
            },
          ],
        },
      ],
    },
  },
);

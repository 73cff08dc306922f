import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import lantern from './eslint-rules/module-boundaries.js';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'web/dist/', 'bench/out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { lantern },
    rules: {
      'lantern/module-boundaries': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'max-lines': ['warn', { max: 400, skipBlankLines: true, skipComments: true }],
      'no-console': 'error',
    },
  },
  {
    // The CLI and scripts talk to a terminal; tests and benches print what they measure.
    files: ['src/adapters/cli/**', 'scripts/**', 'bench/**', 'test/**', 'src/main.ts'],
    rules: { 'no-console': 'off' },
  },
);

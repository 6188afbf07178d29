import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/fixtures/cache/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Untrusted input is `unknown` and parsed; everything else has a real type.
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': 'off',
    },
  },
  {
    // Layering: nothing below the API imports from it, and engine modules take their own options
    // (daemon/ maps daemon.json onto them), so nothing below daemon/ imports from it either.
    files: ['src/engine/**', 'src/store/**', 'src/common/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/api/**', '**/cli/**', '**/client/**', '**/daemon/**'] }],
    },
  },
  {
    // Tests may read raw JSON loosely (the raw client of test/helpers, fixtures built inline).
    files: ['**/*.test.ts', 'test/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);

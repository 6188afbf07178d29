import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/fixtures/cache/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
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
    // Tests may wire a service from the daemon's defaults, as the daemon does.
    files: ['src/engine/**/*.test.ts', 'src/store/**/*.test.ts', 'src/common/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/api/**', '**/cli/**', '**/client/**'] }],
    },
  },
);

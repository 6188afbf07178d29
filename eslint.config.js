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
    // Layering: nothing below the API imports from it (see ../shared/ARCHITECTURE.md).
    files: ['src/engine/**', 'src/store/**', 'src/common/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/api/**', '**/cli/**', '**/client/**'] }],
    },
  },
);

import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/test-output', '**/cdk.out', '**/.nx', '**/*.d.ts'],
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          // The registry imports each model library's light `hyperparameters` module statically and
          // the library itself lazily (so a server of one model type never loads another's code).
          checkDynamicDependenciesExceptions: ['@nextbuy/xgb-model', '@nextbuy/lstm-model', '@nextbuy/btyd-model'],
          depConstraints: [
            // Libraries are the reusable core: they may only use other libraries. Neither libraries nor
            // applications may import a tool: every project under tools/ is tagged type:tool (the
            // tools/workspace tests check that each project's tag matches its folder).
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.mts'],
    rules: {
      // noUncheckedIndexedAccess is on: numeric loops index typed arrays with a checked bound and '!'.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Project test configs share the root vitest.shared.ts; they are not part of any project's code.
    files: ['**/vitest.config.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];

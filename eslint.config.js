import tseslint from 'typescript-eslint';

// Dependencies point one way inside the webhook: each folder lists the folders it must not import.
const webhookLayers = {
  quantity: ['config', 'state', 'engine', 'http', 'tls', 'demo', 'cli'],
  config: ['state', 'engine', 'http', 'tls', 'demo', 'cli'],
  state: ['config', 'engine', 'http', 'tls', 'demo', 'cli'],
  tls: ['config', 'state', 'engine', 'http', 'demo', 'cli'],
  engine: ['http', 'tls', 'demo', 'cli'],
  demo: ['engine', 'http', 'tls', 'cli'],
  http: ['config', 'demo', 'cli'],
};
// A relative import that goes down into a folder must end at that folder's index.ts (its face).
const throughFace = {
  regex: '^\\.{1,2}/(\\.\\./)*([^./][^/]*/)+(?!index\\.ts$)[^/]*$',
  message: 'import another folder through its index.ts',
};
const webhookBoundaries = Object.entries(webhookLayers).flatMap(([folder, forbidden]) => {
  const oneWay = { group: forbidden.flatMap((name) => [`**/${name}`, `**/${name}/**`]), message: `webhook/${folder} must not depend on these (dependencies point one way)` };
  const engineFace = folder === 'engine' ? [] : [{ regex: '/engine/[^/]+/', message: 'use the engine through webhook/engine/index.ts' }];
  const restrict = (patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns }] });
  return [
    { files: [`webhook/${folder}/**/*.ts`], ignores: ['**/*.test.ts'], rules: restrict([oneWay, ...engineFace, throughFace]) },
    // Tests may reach into the internals they test; the one-way rule holds for them too.
    { files: [`webhook/${folder}/**/*.test.ts`], rules: restrict([oneWay]) },
  ];
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', 'dist/**', '.tmp*/**', 'bin/*.js', 'eslint.config.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...webhookBoundaries,
  {
    files: ['webhook/cli/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '/engine/[^/]+/', message: 'use the engine through webhook/engine/index.ts' }, throughFace] },
      ],
    },
  },
  // Production code never imports the test helpers.
  {
    files: ['webhook/**/*.ts', 'init/**/*.ts', 'bin/**/*.ts'],
    // init/test/support/ is test-only too, until it moves to test-support/init/.
    ignores: ['**/*.test.ts', 'init/test/support/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/test-support', '**/test-support/**'], message: 'test-only helpers are for tests' }] }] },
  },
);

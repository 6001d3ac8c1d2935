import tseslint from 'typescript-eslint';

// init/: dependencies point one way, and outside its folder a module is used
// through its index.ts face. Rooms from the bottom: system (processes, system
// access, apply errors) and config (pure), profile (detection), rules
// (rendering), exec (install), pipeline (detect → render → install), cli.
// typescript-eslint's variant of no-restricted-imports, so these blocks and a
// project-wide no-restricted-imports do not replace one another.
const initRooms = {
  system: [],
  config: [],
  validator: ['config'],
  profile: ['system', 'config'],
  rules: ['config', 'profile'],
  exec: ['system', 'config', 'profile', 'rules'],
  pipeline: ['system', 'config', 'profile', 'rules', 'exec'],
  cli: ['system', 'config', 'validator', 'profile', 'rules', 'exec', 'pipeline'],
  // CNI mode's two programs: the plugin runs the pipeline in the pod's netns; the node agent stands alone
  // but for their contract (what the agent writes and the plugin reads).
  'cni-contract': [],
  cni: ['system', 'config', 'profile', 'pipeline', 'cni-contract'],
  'install-cni': ['cni-contract'],
};
const roomNames = Object.keys(initRooms).join('|');
const initBoundaries = Object.entries(initRooms).flatMap(([room, below]) => {
  const above = Object.keys(initRooms).filter((r) => r !== room && !below.includes(r));
  const direction = above.length
    ? [{ regex: `^\\.\\./(${above.join('|')})(/|$)`, message: `init/${room} may use only ${below.map((r) => `init/${r}`).join(', ') || 'its own files'}: dependencies point one way.` }]
    : [];
  const face = { regex: `^\\.\\./(${roomNames})/(?!index\\.ts$)`, message: 'Use the module through its index.ts face.' };
  const rule = (patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns }] });
  return [
    { files: [`init/${room}/**/*.ts`], rules: rule(direction) },
    { files: [`init/${room}/**/*.ts`], ignores: ['**/*.test.ts'], rules: rule([...direction, face]) },
  ];
});

// Dependencies point one way inside the webhook: each folder lists the folders it must not import.
const webhookLayers = {
  quantity: ['config', 'state', 'engine', 'http', 'tls', 'demo', 'cli'],
  'kube-api': ['quantity', 'config', 'state', 'engine', 'http', 'tls', 'demo', 'cli'],
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
  ...initBoundaries,
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
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/test-support', '**/test-support/**'], message: 'test-only helpers are for tests' }] }] },
  },
);

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
);

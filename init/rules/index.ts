// The rules' face: the pure renderer from config and profile to one
// iptables-restore input per family, Kuma's dry-run format, and render errors.
export { formatDryRun } from './dry-run.ts';
export { RenderError, type RenderErrorCode } from './errors.ts';
export { COMMENT_PREFIX } from './params.ts';
export { renderRules, type FamilyRules, type RenderedRules } from './render.ts';

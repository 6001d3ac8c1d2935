#!/usr/bin/env node
// Entry point of the kuma-cni plugin; runs the TypeScript sources through tsx
// (development and tests; nodes get the single executable dist/cni/kuma-cni).
import { register } from 'tsx/esm/api';
register();
await import('../init/cni/main.ts');

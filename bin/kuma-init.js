#!/usr/bin/env node
// Entry point of the kuma-init CLI; runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';
register();
await import('../init/cli/main.ts');

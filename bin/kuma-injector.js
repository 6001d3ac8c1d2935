#!/usr/bin/env node
// Entry point of the kuma-injector CLI; runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';
register();
await import('../webhook/cli/main.ts');

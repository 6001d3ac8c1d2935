#!/usr/bin/env node
// Entry point of the install-cni node agent; runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';
register();
await import('../init/install-cni/main.ts');

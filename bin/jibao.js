#!/usr/bin/env node
// The published entry: TypeScript runs through tsx's loader, so `npx jibao` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../worker/cli/main.ts');

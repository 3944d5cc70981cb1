#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// Inside Knative (K_SERVICE set), `npm start` serves the function's prebuilt bundle directly:
// no TypeScript loader on a cold start.
const service = process.env.K_SERVICE;
const bundle = service && process.argv[2] === 'start' && /^[a-z0-9-]+$/.test(service) ? path.resolve('build', 'functions', `${service}.cjs`) : undefined;
if (bundle && existsSync(bundle)) {
  createRequire(import.meta.url)('../src/serving/load-bundle.cjs')(bundle);
} else {
  // Everything else runs the TypeScript sources directly: no build step after `npm ci`.
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}

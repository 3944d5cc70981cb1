import { createRequire } from 'node:module';
import { devCommand } from './dev.js';
import { loadManifests } from '../manifests/load.js';
import { hasFunction } from '../serving/function-bundle.js';
import { buildFunctions } from './build.js';

/**
 * `npm start`: one image holds every function. Inside Knative (which sets K_SERVICE) it serves that
 * function from its bundle; anywhere else it runs the local runtime (`eventyard dev`).
 * bin/eventyard.js loads a prebuilt bundle itself; this builds it when `npm run build` did not.
 */
export async function startCommand(args: string[]): Promise<number> {
  const service = process.env.K_SERVICE;
  if (!service) return devCommand(args);
  if (!hasFunction(process.cwd(), service)) {
    process.stderr.write(`eventyard start: K_SERVICE is "${service}", but there is no functions/${service}/index.ts; a Knative Service must be named after the function it runs\n`);
    return 1;
  }
  const bundles = await buildFunctions(process.cwd(), await loadManifests(process.cwd()), [service]);
  createRequire(import.meta.url)('../serving/load-bundle.cjs')(bundles.get(service)!);
  return 0;
}

import { createRequire } from 'node:module';
import path from 'node:path';
import { devCommand } from './dev.js';
import { buildFunctions } from './build.js';

/**
 * `npm start`: one image holds every function. Inside Knative (which sets K_SERVICE) it serves that
 * function from its bundle; anywhere else it runs the local runtime (`eventyard dev`).
 * bin/eventyard.js loads a prebuilt bundle itself; this builds it when `npm run build` did not.
 */
export async function startCommand(args: string[]): Promise<number> {
  const service = process.env.K_SERVICE;
  if (!service) return devCommand(args);
  const bundles = await buildFunctions(process.cwd(), [service]);
  createRequire(import.meta.url)(path.resolve(bundles.get(service)!));
  return 0;
}

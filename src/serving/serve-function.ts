import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
// CommonJS: Node's ESM loader only sees its default export.
import faas from 'faas-js-runtime';
import { celGuardsFor, guardHandle } from '../filters/cel/cluster.js';
import { loadManifests } from '../manifests/load.js';

/** A function module under the Knative Functions (faas-js-runtime) contract. */
interface FunctionModule {
  handle: (...args: never[]) => unknown;
  init?: () => unknown;
  shutdown?: () => unknown;
  liveness?: unknown;
  readiness?: unknown;
}

/**
 * Serves one function of the project, as the image does inside Knative: `functions/<name>/index.ts`
 * through faas-js-runtime, with the CEL filters of the Triggers that target it enforced in front of
 * its handle (Knative itself ignores eventyard.dev/cel).
 */
export async function serveFunction(projectDir: string, name: string, port: number): Promise<Server> {
  const entry = path.join(projectDir, 'functions', name, 'index.ts');
  if (!existsSync(entry)) throw new Error(`no function "${name}": ${entry} does not exist (K_SERVICE names the function to serve)`);
  const module = (await import(pathToFileURL(entry).href)) as FunctionModule;
  if (typeof module.handle !== 'function') throw new Error(`${entry} does not export a handle function`);
  const guards = celGuardsFor(await loadManifests(projectDir), projectDir, name);
  const func = { ...module, handle: guardHandle(module.handle as never, guards) };
  return faas.start(func as never, { port } as never);
}

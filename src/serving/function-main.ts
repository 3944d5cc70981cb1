import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// CommonJS: Node's ESM loader only sees its default export.
import faas from 'faas-js-runtime';

/** A function module under the Knative Functions (faas-js-runtime) contract. */
export interface FunctionModule {
  handle: (...args: never[]) => unknown;
  init?: () => unknown;
  shutdown?: () => unknown;
  liveness?: unknown;
  readiness?: unknown;
}

/** What a function instance tells the local runtime that started it, over the IPC channel. */
export interface ReadyMessage {
  readonly type: 'eventyard:ready';
  readonly port: number;
}

/**
 * The entry of every function bundle, in the image and locally alike: serves the function through
 * faas-js-runtime on $PORT, with the CEL expressions of the Triggers that target it (trigger name
 * → expression, fixed when the bundle was built) enforced in front of its handle.
 */
export async function serveFunction(name: string, module: FunctionModule, celGuards: Readonly<Record<string, string>>): Promise<Server> {
  if (typeof module.handle !== 'function') throw new Error(`function ${name} does not export a handle function`);
  let func: FunctionModule = module;
  if (Object.keys(celGuards).length > 0) {
    // Only a function that enforces CEL loads the CEL engine: the rest start sooner.
    const { compileGuards, guardHandle } = await import('../filters/cel/cluster.js');
    func = { ...module, handle: guardHandle(module.handle as never, compileGuards(celGuards)) as never };
  }
  const port = Number(process.env.PORT ?? 8080);
  const server: Server = await faas.start(func as never, { port } as never);
  if (process.send) {
    // Started by `eventyard dev`: say when it can take requests, and never outlive the runtime.
    process.send({ type: 'eventyard:ready', port: (server.address() as AddressInfo).port } satisfies ReadyMessage);
    process.on('disconnect', () => process.exit(0));
  } else {
    process.stderr.write(`eventyard: serving function ${name} on port ${port}\n`);
  }
  return server;
}

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { percentDecode } from '../events/http-binding.js';
// CommonJS: Node's ESM loader only sees its default export.
import faas from 'faas-js-runtime';

/** A function module under the Knative Functions (faas-js-runtime) contract. */
export interface FunctionModule {
  handle: (...args: never[]) => unknown;
  init?: () => unknown;
  shutdown?: () => unknown;
  liveness?: unknown;
  readiness?: unknown;
  /**
   * Optional HTTP routes of the function's own (an express app, or any `(req, res, next)`): it sees
   * every request first, and what it passes on with `next()` goes to faas-js-runtime — CloudEvents
   * to `handle`, health probes. faas-js-runtime alone serves only `/`, so a page with assets and a
   * live stream (the display) needs this.
   */
  app?: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
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
  // FUNC_LOG_LEVEL, as faas-js-runtime's own CLI reads it (the Service manifests set it).
  const logLevel = process.env.FUNC_LOG_LEVEL || 'warn';
  const server: Server = await faas.start(func as never, { port, logLevel } as never);
  const app = typeof module.app === 'function' ? module.app : undefined;
  interpose(server, (req, res, next) => {
    decodeCeHeaders(req);
    if (app) app(req, res, next);
    else next();
  });
  if (process.send) {
    // Started by `eventyard dev`: say when it can take requests, and never outlive the runtime.
    process.send({ type: 'eventyard:ready', port: (server.address() as AddressInfo).port } satisfies ReadyMessage);
    process.on('disconnect', () => process.exit(0));
  } else {
    process.stderr.write(`eventyard: serving function ${name} on port ${port}\n`);
  }
  return server;
}

/**
 * HTTP binding §3.1.3.2: attribute values in `ce-` headers are percent-encoded (a '"', a '%', any
 * non-ASCII character), and the receiver decodes them. The cloudevents SDK inside faas-js-runtime
 * does not, so a subject "José" would reach `handle` as "Jos%C3%A9"; decoded here first.
 */
function decodeCeHeaders(req: IncomingMessage): void {
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('ce-') && typeof value === 'string') req.headers[name] = percentDecode(value);
  }
}

/** Runs `first` on every request, in front of faas-js-runtime's fastify handler on the same server. */
function interpose(server: Server, first: NonNullable<FunctionModule['app']>): void {
  const runtime = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // express swaps the prototypes of what it handles: fastify gets them back as Node made them.
    const reqProto: object | null = Object.getPrototypeOf(req);
    const resProto: object | null = Object.getPrototypeOf(res);
    first(req, res, (err?: unknown) => {
      if (err !== undefined) {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('internal error\n');
        else res.destroy();
        return;
      }
      Object.setPrototypeOf(req, reqProto);
      Object.setPrototypeOf(res, resProto);
      for (const listener of runtime) listener.call(server, req, res);
    });
  });
}

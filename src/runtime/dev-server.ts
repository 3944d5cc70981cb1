import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_MAX_BODY_BYTES, handleIngress } from '../broker/ingress.js';
import { loadManifests, type Manifests } from '../manifests/load.js';
import { ManifestError, type Problem } from '../manifests/problems.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { KNATIVE_AUTOSCALER_DEFAULTS, type AutoscalerConfig } from '../serving/kpa.js';
import { ServingRuntime, SERVICES_PATH } from '../serving/serving-runtime.js';
import { SourcesRuntime, type SourcePeers } from '../sources/sources-runtime.js';
import { handleApi, handleMetrics } from './api.js';
import { EventingRuntime } from './eventing-runtime.js';

export interface DevOptions {
  /** The project folder holding eventing/, sources/ and triggers/. */
  readonly dir: string;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly maxBodyBytes?: number;
  /**
   * The broker ingress answers 503 while this many deliveries are pending over all Triggers, so
   * that a sender faster than the subscribers meets back-pressure instead of growing memory
   * without bound (0: no limit). Replies are always taken.
   */
  readonly maxPendingDeliveries?: number;
  readonly logger?: Logger;
  /** Overrides of Knative's autoscaler defaults, to see scale to zero sooner locally. */
  readonly autoscaler?: Partial<AutoscalerConfig>;
  /** Local addresses of the Kafka and RocketMQ that the sources' manifests name by cluster address. */
  readonly peers?: SourcePeers;
}

/** About 200 MB of events held for delivery at 2 KB each: far above a healthy backlog. */
export const DEFAULT_MAX_PENDING_DELIVERIES = 100_000;

export interface DevServer {
  readonly url: string;
  readonly runtime: EventingRuntime;
  readonly serving: ServingRuntime;
  readonly sources: SourcesRuntime;
  readonly manifests: Manifests;
  readonly logger: Logger;
  /**
   * Stops: new events are refused (503) at once; sources stop reading; deliveries in flight may
   * end until `graceMs` has passed; then the rest is cut short and the functions are stopped.
   */
  close(graceMs?: number): Promise<StopReport>;
}

/** What a stop could not finish. */
export interface StopReport {
  /** Per Trigger, the events whose delivery was cut short: they are lost (the broker is in memory). */
  readonly unfinished: readonly { trigger: string; events: readonly string[] }[];
  /** Records of sources still being delivered: not committed, so they are read again next time. */
  readonly sourceRecordsCut: number;
}

/**
 * `eventyard dev`: loads and checks every manifest first — any error throws a ManifestError and
 * nothing starts — bundles the functions (a build error throws a FunctionBuildError), then serves
 * the broker ingress, the functions' Services and the runtime API on one port.
 */
export async function startDev(options: DevOptions): Promise<DevServer> {
  const logger = options.logger ?? createLogger();
  const manifests = await loadManifests(options.dir);
  const hasErrors = (problems: readonly Problem[]) => problems.some((p) => p.severity === 'error');
  if (hasErrors(manifests.problems)) throw new ManifestError(manifests.problems);
  const problems = [...manifests.problems, ...EventingRuntime.plan(manifests), ...SourcesRuntime.plan(manifests)];
  if (hasErrors(problems)) throw new ManifestError(problems);
  for (const p of problems) logger.warn({ file: p.location.file, document: p.location.document, field: p.field }, p.message);

  // The port is bound first: a busy one fails before any bundling, and SinkBindings need the address.
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 60_000 });
  let ready: RequestListener | undefined;
  server.on('request', (req, res) => {
    if (ready) return ready(req, res);
    res.writeHead(503, { 'retry-after': '1', 'content-type': 'text/plain' }).end('eventyard is starting: building the functions\n');
  });
  const host = options.host ?? '127.0.0.1';
  await listen(server, host, options.port ?? 8080);
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let serving: ServingRuntime;
  try {
    serving = await ServingRuntime.start(manifests, {
      projectDir: options.dir,
      baseUrl: url,
      autoscaler: { ...KNATIVE_AUTOSCALER_DEFAULTS, ...options.autoscaler },
      kafkaBootstrapServers: options.peers?.kafka?.bootstrapServers,
      logger,
    });
  } catch (err) {
    await new Promise((resolve) => server.close(resolve));
    throw err;
  }
  const runtime = new EventingRuntime(manifests, url, logger);
  const sources = new SourcesRuntime();
  let stopping = false;
  const maxPending = options.maxPendingDeliveries ?? DEFAULT_MAX_PENDING_DELIVERIES;
  const ingress = {
    findBroker: runtime.findBroker.bind(runtime),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    refusing: () => {
      if (stopping) return 'the local runtime is stopping';
      const pending = maxPending > 0 ? runtime.pendingDeliveries() : 0;
      return maxPending > 0 && pending >= maxPending
        ? `the broker is overloaded: ${pending} deliveries are pending (limit ${maxPending}, --max-pending-deliveries); send again in a moment`
        : undefined;
    },
  };

  ready = (req, res) => {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    if (path.startsWith(SERVICES_PATH) && serving.handle(req, res, path, q === -1 ? '' : rawUrl.slice(q))) return;
    if (req.method === 'GET' && path.startsWith('/_/') && handleApi(path, new URLSearchParams(q === -1 ? '' : rawUrl.slice(q)), req, res, { runtime, serving, sources, manifests })) return;
    if (req.method === 'GET' && path === '/metrics') return handleMetrics(res, { runtime, serving, sources, manifests });
    if (req.method === 'GET' && path === '/') {
      // A browser opens the dashboard (the display function); curl and scripts get the API index.
      const dashboard = dashboardPath(manifests);
      if (dashboard && (req.headers.accept ?? '').includes('text/html')) {
        res.writeHead(302, { location: dashboard, 'cache-control': 'no-store' }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(index(runtime, dashboard), null, 2));
      return;
    }
    handleIngress(req, res, path, ingress);
  };

  // Sources start once every address they deliver to is served.
  await sources.start(manifests, url, options.peers ?? {}, logger);

  return {
    url,
    runtime,
    serving,
    sources,
    manifests,
    logger,
    async close(graceMs = 0) {
      stopping = true;
      const deadline = performance.now() + graceMs;
      // Sources first: what they still deliver goes through the broker's Triggers.
      const sourceRecordsCut = await sources.stop(deadline);
      const unfinished = await runtime.stop(deadline);
      await serving.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return { unfinished, sourceRecordsCut };
    },
  };
}

/** Where the display function's page is served, with the trailing slash its relative URLs need. */
export function dashboardPath(manifests: Manifests): string | undefined {
  if (!manifests.functions.includes(DASHBOARD_FUNCTION)) return undefined;
  const namespace = manifests.services.find((s) => s.metadata.name === DASHBOARD_FUNCTION)?.metadata.namespace ?? 'default';
  return `${SERVICES_PATH}${namespace}/${DASHBOARD_FUNCTION}/`;
}

/** The function whose page `GET /` opens. */
const DASHBOARD_FUNCTION = 'display';

function index(runtime: EventingRuntime, dashboard: string | undefined) {
  return {
    eventyard: 'local Knative Eventing runtime',
    ...(dashboard ? { dashboard } : {}),
    brokers: [...runtime.brokers.values()].map((b) => b.address),
    metrics: '/metrics',
    api: ['/_/brokers', '/_/triggers', '/_/sources', '/_/services', '/_/services/watch', '/_/deliveries', '/_/events', '/_/explain?event=<id>'],
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

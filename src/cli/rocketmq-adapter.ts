import path from 'node:path';
import { httpTarget, type HttpTarget } from '../delivery/http-sender.js';
import { retryPolicyOf } from '../delivery/retry-policy.js';
import { contentModeOf } from '../manifests/delivery.js';
import { parseGoDuration } from '../manifests/duration.js';
import { loadManifests } from '../manifests/load.js';
import { formatProblem } from '../manifests/problems.js';
import type { RocketMQSourceManifest } from '../manifests/rocketmq-source.js';
import { createLogger } from '../observability/logger.js';
import { RocketMQSourceAdapter } from '../sources/rocketmq/rocketmq-source.js';
import { SinkDelivery } from '../sources/sink-delivery.js';
import { SOURCE_DEFAULT_DELIVERY } from '../sources/sources-runtime.js';
import { parseFlags, UsageError } from './usage.js';

/** Sink connections: as many as deliveries in flight. */
const CONNECTIONS = 64;
/** Kubernetes SIGKILLs 30 s after SIGTERM by default: end retries before that, and still ack. */
const DEFAULT_GRACE_MS = 20_000;
/** After the grace period, how long a hung sink request may still take before its socket is cut. */
const HUNG_REQUEST_MS = 5_000;

/**
 * `eventyard rocketmq-adapter --source <namespace>/<name>`: runs the adapter of one RocketMQSource of the
 * project (read from eventing/, sources/ and triggers/ under --dir), for a cluster where no controller
 * reconciles RocketMQSources: a ContainerSource runs this command in the project image
 * (sources/chat-rocketmq-adapter.yaml) and gives it K_SINK and K_CE_OVERRIDES. Runs until SIGTERM or
 * SIGINT, then stops receiving, lets the deliveries in flight end, acks them and exits the process
 * with 0. Resolves (with 1) only when it cannot start.
 */
export async function rocketmqAdapterCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    source: { type: 'string' },
    dir: { type: 'string', default: '.' },
    endpoints: { type: 'string' },
    'invisible-duration': { type: 'string' },
    'grace-period': { type: 'string' },
  });
  const [namespace, name, extra] = (values.source ?? '').split('/');
  if (!namespace || !name || extra !== undefined) throw new UsageError('--source <namespace>/<name> names the RocketMQSource to run');
  const invisibleDurationMs = durationFlag(values['invisible-duration'], 'invisible-duration');
  const graceMs = durationFlag(values['grace-period'], 'grace-period') ?? DEFAULT_GRACE_MS;
  const fail = (message: string) => {
    process.stderr.write(`eventyard rocketmq-adapter: ${message}\n`);
    return 1;
  };

  const dir = path.resolve(values.dir);
  const manifests = await loadManifests(dir);
  const key = `RocketMQSource ${namespace}/${name}`;
  const own = manifests.problems.filter((p) => p.object === key);
  const manifest = manifests.sources.find(
    (s): s is RocketMQSourceManifest => s.kind === 'RocketMQSource' && s.metadata.namespace === namespace && s.metadata.name === name,
  );
  if (!manifest) {
    const why = own.length > 0 ? `it has problems:\n${own.map((p) => `  ${formatProblem(p)}`).join('\n')}` : 'there is none in its manifests';
    return fail(`cannot run ${key} from ${dir}: ${why}`);
  }

  // On a cluster the sink is the ContainerSource's, resolved by Knative: a manifest's ref to a Broker
  // or a Service has no URL without the Kubernetes API.
  let sink: HttpTarget;
  const kSink = process.env.K_SINK;
  if (kSink) {
    if (!URL.canParse(kSink)) return fail(`K_SINK is not a URL: "${kSink}"`);
    sink = httpTarget(kSink);
  } else if (!manifest.sink.ref) {
    sink = httpTarget(manifest.sink.uri);
  } else {
    return fail(
      `K_SINK is not set. On a cluster, run this command from a ContainerSource (it sets K_SINK from its spec.sink); ` +
        `elsewhere set K_SINK to the URL of the sink: spec.sink of ${key} names a ${manifest.sink.ref.kind}, which only the Kubernetes API resolves to a URL`,
    );
  }

  let kOverrides: Record<string, string>;
  try {
    kOverrides = ceOverridesFromEnv(process.env.K_CE_OVERRIDES);
  } catch (err) {
    return fail(`K_CE_OVERRIDES: ${(err as Error).message}`);
  }

  const delivery = manifest.delivery ?? SOURCE_DEFAULT_DELIVERY;
  let deadLetterSink: HttpTarget | undefined;
  if (delivery.deadLetterSink?.ref) {
    return fail(
      `spec.delivery.deadLetterSink of ${key} is a ref (${delivery.deadLetterSink.ref.kind} ${delivery.deadLetterSink.ref.name}), which this adapter ` +
        'cannot resolve without the Kubernetes API; give it as a uri instead (for a Service: http://<name>.<namespace>.svc.cluster.local)',
    );
  } else if (delivery.deadLetterSink) {
    deadLetterSink = httpTarget(delivery.deadLetterSink.uri);
  }

  const logger = createLogger();
  const log = logger.child({ source: key });
  for (const p of own) log.warn({ problem: formatProblem(p) }, 'manifest problem');
  const abort = new AbortController();
  const sinkDelivery = new SinkDelivery(
    { sink, deadLetterSink, policy: retryPolicyOf(delivery), mode: contentModeOf(delivery), namespace },
    log,
    abort.signal,
    CONNECTIONS,
  );
  const endpoints = values.endpoints ?? process.env.EVENTYARD_ROCKETMQ_ENDPOINTS;
  // K_CE_OVERRIDES are the ContainerSource's own; they win over the RocketMQSource's.
  const adapted: RocketMQSourceManifest = { ...manifest, ceOverrides: { ...manifest.ceOverrides, ...kOverrides } };
  const adapter = new RocketMQSourceAdapter(adapted, sinkDelivery, logger, { endpoints, invisibleDurationMs, maxInFlight: CONNECTIONS });
  log.info(
    { sink: sink.url, deadLetterSink: deadLetterSink?.url, endpoints: endpoints ?? manifest.endpoints, topic: manifest.topic, group: manifest.consumerGroup },
    'starting the RocketMQ source adapter',
  );
  adapter.start();

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info({ signal, inFlight: adapter.stats().inFlight }, 'stopping: no new messages; the deliveries in flight end and are acked');
  const now = () => {
    log.warn('second signal: exiting now; the messages in flight are not acked and the proxy delivers them again');
    logger.flush();
    process.exit(1);
  };
  process.once('SIGTERM', now);
  process.once('SIGINT', now);
  // Past the grace period, retries stop: those deliveries end 'interrupted', are not acked, and come back.
  const grace = setTimeout(() => {
    log.warn({ graceMs }, 'grace period over: retries stop; unfinished deliveries are not acked and will be delivered again');
    abort.abort();
    setTimeout(() => void sinkDelivery.close(), HUNG_REQUEST_MS).unref();
  }, graceMs);
  grace.unref();
  await adapter.stop();
  clearTimeout(grace);
  await sinkDelivery.close();
  log.info(adapter.stats(), 'stopped');
  logger.flush();
  // Every message is acked or left to the proxy. The client's last long poll cannot be cancelled and
  // would hold the process until its deadline: exit now.
  process.exit(0);
}

/** K_CE_OVERRIDES as a ContainerSource writes it: `{"extensions":{"name":"value"}}`. */
export function ceOverridesFromEnv(text: string | undefined): Record<string, string> {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`must be JSON such as {"extensions":{"name":"value"}}: ${(err as Error).message}`);
  }
  const extensions = (value as { extensions?: unknown } | null)?.extensions;
  if (extensions === undefined || extensions === null) return {};
  if (typeof extensions !== 'object' || Array.isArray(extensions)) throw new Error('"extensions" must be an object of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(extensions)) {
    if (typeof v !== 'string') throw new Error(`extension "${k}" must be a string, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out;
}

function durationFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseGoDuration(value);
  if (ms === undefined || ms <= 0) throw new UsageError(`--${name} must be a duration such as 30s, got "${value}"`);
  return ms;
}

import path from 'node:path';
import { ManifestError, formatProblem } from '../manifests/problems.js';
import { parseGoDuration } from '../manifests/duration.js';
import { dashboardPath, startDev } from '../runtime/dev-server.js';
import { FunctionBuildError } from '../serving/function-bundle.js';
import type { AutoscalerConfig } from '../serving/kpa.js';
import type { KafkaSourceOptions } from '../sources/kafka/kafka-source.js';
import { intFlag, parseFlags, UsageError } from './usage.js';

export async function devCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    dir: { type: 'string', default: '.' },
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    'max-body-bytes': { type: 'string' },
    'max-pending-deliveries': { type: 'string' },
    'stable-window': { type: 'string' },
    'scale-to-zero-grace-period': { type: 'string' },
    'kafka-bootstrap-servers': { type: 'string' },
    'rocketmq-endpoints': { type: 'string' },
    'shutdown-timeout': { type: 'string', default: '30s' },
  });
  const graceMs = parseGoDuration(values['shutdown-timeout']);
  if (graceMs === undefined) throw new UsageError(`--shutdown-timeout must be a duration such as 30s; got "${values['shutdown-timeout']}"`);
  const kafka = values['kafka-bootstrap-servers'] ?? process.env.EVENTYARD_KAFKA_BOOTSTRAP_SERVERS;
  const rocketmqEndpoints = values['rocketmq-endpoints'] ?? process.env.EVENTYARD_ROCKETMQ_ENDPOINTS;
  const dir = path.resolve(values.dir);
  let dev;
  try {
    dev = await startDev({
      dir,
      host: values.host,
      port: intFlag(values.port ?? process.env.PORT, 'port', 8080),
      maxBodyBytes: values['max-body-bytes'] === undefined ? undefined : intFlag(values['max-body-bytes'], 'max-body-bytes', 0),
      maxPendingDeliveries: values['max-pending-deliveries'] === undefined ? undefined : intFlag(values['max-pending-deliveries'], 'max-pending-deliveries', 0),
      autoscaler: autoscalerFlags(values['stable-window'], values['scale-to-zero-grace-period']),
      peers: { kafka: kafkaOptions(kafka, process.env.EVENTYARD_KAFKA_CONSUMER_OPTIONS), rocketmqEndpoints },
    });
  } catch (err) {
    if (err instanceof ManifestError) {
      process.stderr.write(`eventyard dev: the manifests in ${dir} have problems; nothing was started.\n`);
      for (const p of err.problems) process.stderr.write(`  ${formatProblem(p)}\n`);
      return 1;
    }
    if (err instanceof FunctionBuildError) {
      process.stderr.write(`eventyard dev: ${err.message}\nnothing was started.\n`);
      return 1;
    }
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`eventyard dev: ${values.host}:${values.port ?? 8080} is already in use; pick another with --port\n`);
      return 1;
    }
    throw err;
  }
  const lines = [
    `eventyard dev: ${dev.manifests.files.length} manifest files, ${dev.runtime.brokers.size} brokers, ${dev.runtime.dispatchers.length} triggers`,
    ...(dashboardPath(dev.manifests) ? [`  dashboard       ${dev.url}/   (open it in a browser)`] : []),
    ...[...dev.runtime.brokers.values()].map((b) => `  broker ingress  ${b.address}`),
    ...dev.serving.stats().map((st) => `  function        ${dev.url}/_/services/${st.namespace}/${st.name}  (scale ${st.minScale}..${st.maxScale || '∞'}, at ${st.minScale} now)`),
    ...dev.sources.stats().map((st) => `  source          ${st.kind} ${st.namespace}/${st.name} → ${st.sink}`),
    `  services        ${dev.url}/_/services`,
    `  deliveries      ${dev.url}/_/deliveries`,
    `  triggers        ${dev.url}/_/triggers`,
  ];
  process.stderr.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      process.stderr.write(`eventyard dev: ${signal} again, stopping now\n`);
      process.exit(1);
    }
    stopping = true;
    const inFlight = dev.runtime.dispatchers.reduce((n, d) => n + d.counts.inFlight, 0) + dev.sources.stats().reduce((n, st) => n + st.inFlight, 0);
    process.stderr.write(`eventyard dev: ${signal}: refusing new events; waiting up to ${graceMs / 1000} s for ${inFlight} deliveries in flight (${signal} again to stop now)\n`);
    const report = await dev.close(graceMs);
    for (const { trigger, events } of report.unfinished) {
      process.stderr.write(`eventyard dev: Trigger ${trigger}: ${events.length} deliveries cut short, lost: ${events.slice(0, 20).join(', ')}${events.length > 20 ? ', …' : ''}\n`);
    }
    if (report.sourceRecordsCut > 0) process.stderr.write(`eventyard dev: ${report.sourceRecordsCut} source records cut short: not committed, they are read again on the next start\n`);
    process.stderr.write(`eventyard dev: stopped${report.unfinished.length === 0 && report.sourceRecordsCut === 0 ? ', every delivery finished' : ''}\n`);
    dev.logger.flush();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  return 0;
}

/** Local overrides of Knative's cluster-wide stable window and scale-to-zero grace period. */
function autoscalerFlags(stableWindow: string | undefined, grace: string | undefined): Partial<AutoscalerConfig> {
  const out: { stableWindowMs?: number; scaleToZeroGraceMs?: number; tickMs?: number } = {};
  if (stableWindow !== undefined) {
    const ms = parseGoDuration(stableWindow);
    if (ms === undefined || ms < 100) throw new UsageError(`--stable-window must be a duration of at least 100ms, such as 10s; got "${stableWindow}"`);
    out.stableWindowMs = ms;
    // Several ticks per window, or the window would average nothing.
    out.tickMs = Math.min(2000, ms / 5);
  }
  if (grace !== undefined) {
    const ms = parseGoDuration(grace);
    if (ms === undefined) throw new UsageError(`--scale-to-zero-grace-period must be a duration such as 30s; got "${grace}"`);
    out.scaleToZeroGraceMs = ms;
  }
  return out;
}

/** The local Kafka, and kafkajs consumer settings as JSON (sessionTimeout, maxWaitTimeInMs…). */
function kafkaOptions(bootstrapServers: string | undefined, consumerJson: string | undefined): KafkaSourceOptions {
  let consumer: KafkaSourceOptions['consumer'];
  if (consumerJson) {
    try {
      consumer = JSON.parse(consumerJson) as KafkaSourceOptions['consumer'];
    } catch (err) {
      throw new UsageError(`EVENTYARD_KAFKA_CONSUMER_OPTIONS must be JSON: ${(err as Error).message}`);
    }
  }
  return { bootstrapServers: bootstrapServers?.split(',').map((s) => s.trim()), consumer };
}

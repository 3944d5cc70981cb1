import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatFilter } from '../filters/filter.js';
import { describeDestination } from '../manifests/destination.js';
import type { Manifests } from '../manifests/load.js';
import { prometheusText } from '../observability/metrics.js';
import type { ServiceStats } from '../serving/function-service.js';
import type { ServingRuntime } from '../serving/serving-runtime.js';
import type { SourcesRuntime } from '../sources/sources-runtime.js';
import type { EventingRuntime } from './eventing-runtime.js';

/** The running parts the API reads from. */
export interface ApiParts {
  readonly runtime: EventingRuntime;
  readonly serving: ServingRuntime;
  readonly sources: SourcesRuntime;
  readonly manifests: Manifests;
}
import { explainTriggers } from './explain-triggers.js';

/** Read-only views of the runtime under /_/: what exists, and where each event went. */
export function handleApi(
  path: string,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
  { runtime, serving, sources, manifests }: ApiParts,
): boolean {
  switch (path) {
    case '/_/sources':
      return json(res, sources.stats());
    case '/_/services':
      return json(res, serving.stats());
    case '/_/services/watch':
      return watchServices(req, res, serving);
    case '/_/events':
      return json(
        res,
        runtime.received.list().map(({ at, broker, event, dataDropped }) => {
          const a = event.attributes;
          return { at, broker, id: a.id, type: a.type, source: a.source, subject: a.subject, dataDropped, explain: `/_/explain?event=${encodeURIComponent(a.id ?? '')}` };
        }),
      );
    case '/_/explain': {
      const id = query.get('event');
      const received = runtime.received.list().find((r) => r.event.attributes.id === id);
      if (!received) return notFound(res, `no recent event with id ${JSON.stringify(id)}; see /_/events for the last ${runtime.received.capacity}`);
      return json(res, { event: id, broker: received.broker, dataDropped: received.dataDropped, triggers: explainTriggers(manifests.triggers, received.event, received.broker) });
    }
    case '/_/brokers':
      return json(res, [...runtime.brokers.values()].map((b) => ({ namespace: b.namespace, name: b.name, address: b.address, accepted: b.accepted })));
    case '/_/triggers':
      return json(
        res,
        runtime.dispatchers.map((d) => {
          const { trigger } = d.route;
          return {
            namespace: trigger.metadata.namespace,
            name: trigger.metadata.name,
            broker: trigger.broker,
            file: trigger.location.file,
            filter: formatFilter(trigger.filter),
            subscriber: describeDestination(trigger.subscriber),
            subscriberUrl: d.route.subscriber.url,
            deadLetterSink: d.route.deadLetterSink?.url,
            retries: d.route.policy.retries,
            counts: d.counts,
          };
        }),
      );
    case '/_/deliveries':
      return json(res, runtime.recent.list());
    default:
      return false;
  }
}

function notFound(res: ServerResponse, reason: string): true {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`${reason}\n`);
  return true;
}

function json(res: ServerResponse, body: unknown): true {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body, null, 2));
  return true;
}

/**
 * Server-sent events: every Service's stats at once, then each Service's again whenever its
 * instances, requests in flight or cold starts change (coalesced to one per 100 ms per Service).
 */
function watchServices(req: IncomingMessage, res: ServerResponse, serving: ServingRuntime): true {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (stats: ServiceStats) => res.write(`event: service\ndata: ${JSON.stringify(stats)}\n\n`);
  for (const stats of serving.stats()) send(stats);
  serving.on('change', send);
  req.once('close', () => serving.off('change', send));
  return true;
}

/** GET /metrics: every counter of the runtime in the Prometheus text format. */
export function handleMetrics(res: ServerResponse, { runtime, serving, sources }: ApiParts): void {
  const text = prometheusText({
    brokers: [...runtime.brokers.values()].map((b) => ({ namespace: b.namespace, name: b.name, accepted: b.accepted, refused: b.refused })),
    triggers: runtime.dispatchers.map((d) => ({ namespace: d.route.trigger.metadata.namespace, name: d.route.trigger.metadata.name, broker: d.route.trigger.broker, counts: d.counts })),
    sources: sources.stats(),
    services: serving.stats(),
  });
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text);
}

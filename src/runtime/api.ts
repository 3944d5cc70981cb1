import type { ServerResponse } from 'node:http';
import { formatFilter } from '../filters/filter.js';
import { describeDestination } from '../manifests/destination.js';
import type { Manifests } from '../manifests/load.js';
import type { EventingRuntime } from './eventing-runtime.js';

/** Read-only views of the runtime under /_/: what exists, and where each event went. */
export function handleApi(path: string, res: ServerResponse, runtime: EventingRuntime, manifests: Manifests): boolean {
  switch (path) {
    case '/_/brokers':
      return json(res, [...runtime.brokers.values()].map((b) => ({ namespace: b.namespace, name: b.name, address: b.address, accepted: b.accepted })));
    case '/_/triggers':
      return json(
        res,
        runtime.dispatchers.map((d) => {
          const manifest = manifests.triggers.find((t) => t.metadata.namespace === d.route.namespace && t.metadata.name === d.route.name);
          return {
            namespace: d.route.namespace,
            name: d.route.name,
            broker: manifest?.broker,
            file: manifest?.location.file,
            filter: formatFilter(d.route.filter),
            subscriber: manifest ? describeDestination(manifest.subscriber) : d.route.subscriber.url,
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

function json(res: ServerResponse, body: unknown): true {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body, null, 2));
  return true;
}

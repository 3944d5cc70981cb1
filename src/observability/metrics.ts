import type { ServiceStats } from '../serving/function-service.js';
import type { SourceStats } from '../sources/source.js';
import type { TriggerCounts } from './trigger-stats.js';

/** What /metrics reads: the runtime's own counters, at the moment of the scrape. */
export interface MetricsSnapshot {
  readonly brokers: readonly { namespace: string; name: string; accepted: number; refused: number }[];
  readonly triggers: readonly { namespace: string; name: string; broker: string; counts: TriggerCounts }[];
  readonly sources: readonly SourceStats[];
  readonly services: readonly ServiceStats[];
}

type Labels = Record<string, string | number>;

/**
 * The Prometheus text exposition format (version 0.0.4). Written here rather than with prom-client:
 * every value already lives in the runtime's counters, and a scrape only has to print them with the
 * right TYPE, which prom-client's own counters (increment-only, kept twice) would not add to.
 */
export function prometheusText(snapshot: MetricsSnapshot): string {
  const out: string[] = [];
  const metric = <T>(name: string, type: 'counter' | 'gauge', help: string, items: readonly T[], sample: (item: T) => [Labels, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const item of items) for (const [labels, value] of sample(item)) out.push(`${name}${formatLabels(labels)} ${value}`);
  };

  metric('eventyard_broker_events_accepted_total', 'counter', 'Events a broker accepted (202).', snapshot.brokers, (b) => [[{ namespace: b.namespace, broker: b.name }, b.accepted]]);
  metric('eventyard_broker_events_refused_total', 'counter', 'Events a broker answered 503: the runtime was stopping, or too many deliveries were pending.', snapshot.brokers, (b) => [[{ namespace: b.namespace, broker: b.name }, b.refused]]);

  const trigger = (t: MetricsSnapshot['triggers'][number]) => ({ namespace: t.namespace, trigger: t.name, broker: t.broker });
  metric('eventyard_trigger_events_total', 'counter', 'Events of a Trigger by outcome: matched = delivered + dead_lettered + dropped + in flight.', snapshot.triggers, (t) => [
    [{ ...trigger(t), outcome: 'matched' }, t.counts.matched],
    [{ ...trigger(t), outcome: 'delivered' }, t.counts.delivered],
    [{ ...trigger(t), outcome: 'dead_lettered' }, t.counts.deadLettered],
    [{ ...trigger(t), outcome: 'dropped' }, t.counts.dropped],
  ]);
  metric('eventyard_trigger_retries_total', 'counter', 'Delivery attempts after the first.', snapshot.triggers, (t) => [[trigger(t), t.counts.retried]]);
  metric('eventyard_trigger_replies_total', 'counter', 'Replies published back into the broker.', snapshot.triggers, (t) => [[trigger(t), t.counts.replies]]);
  metric('eventyard_trigger_in_flight', 'gauge', 'Events matched whose delivery has not ended.', snapshot.triggers, (t) => [[trigger(t), t.counts.inFlight]]);

  const source = (s: SourceStats) => ({ kind: s.kind, namespace: s.namespace, source: s.name });
  metric('eventyard_source_events_total', 'counter', 'Records a source read, by outcome.', snapshot.sources, (s) => [
    [{ ...source(s), outcome: 'received' }, s.received],
    [{ ...source(s), outcome: 'delivered' }, s.delivered],
    [{ ...source(s), outcome: 'dead_lettered' }, s.deadLettered],
    [{ ...source(s), outcome: 'dropped' }, s.dropped],
  ]);
  metric('eventyard_source_in_flight', 'gauge', 'Records read whose delivery has not ended.', snapshot.sources, (s) => [[source(s), s.inFlight]]);
  metric('eventyard_source_up', 'gauge', '1 while the source consumes, 0 while it connects, retries or is stopped.', snapshot.sources, (s) => [[source(s), s.state === 'running' ? 1 : 0]]);

  const service = (s: ServiceStats) => ({ namespace: s.namespace, service: s.name });
  metric('eventyard_service_instances', 'gauge', 'Function instances by state.', snapshot.services, (s) => [
    [{ ...service(s), state: 'starting' }, s.instances.starting],
    [{ ...service(s), state: 'ready' }, s.instances.ready],
    [{ ...service(s), state: 'draining' }, s.instances.draining],
  ]);
  metric('eventyard_service_desired_instances', 'gauge', "The autoscaler's desired scale.", snapshot.services, (s) => [[service(s), s.desired]]);
  metric('eventyard_service_requests_in_flight', 'gauge', 'Requests at an instance.', snapshot.services, (s) => [[service(s), s.inFlight]]);
  metric('eventyard_service_requests_queued', 'gauge', 'Requests held by the activator.', snapshot.services, (s) => [[service(s), s.queued]]);
  metric('eventyard_service_requests_total', 'counter', 'Requests to the Service.', snapshot.services, (s) => [[service(s), s.requests]]);
  metric('eventyard_service_cold_starts_total', 'counter', 'Instances started and ready.', snapshot.services, (s) => [[service(s), s.coldStarts]]);
  metric('eventyard_service_crashes_total', 'counter', 'Instances that died without being asked to.', snapshot.services, (s) => [[service(s), s.crashes]]);
  return `${out.join('\n')}\n`;
}

function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return `{${parts.join(',')}}`;
}

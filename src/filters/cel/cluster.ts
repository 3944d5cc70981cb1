import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CloudEvent as SdkCloudEvent } from 'cloudevents';
import { attributeRecord, type CloudEvent } from '../../events/event.js';
import type { Manifests } from '../../manifests/load.js';
import type { TriggerManifest } from '../../manifests/trigger.js';
import type { EventFilter } from '../filter.js';
import { celFilter } from './index.js';

/**
 * Upstream Knative ignores the eventyard.dev/cel annotation. On a cluster the function image enforces
 * it instead: a CEL Trigger names itself in its subscriber URI — `uri: "?eventyard-trigger=<name>"`
 * next to the Service ref, which Knative resolves relative to the Service's address — and the
 * function checks that Trigger's expression before it handles the event.
 */
export const TRIGGER_QUERY = 'eventyard-trigger';

export type CelEnforcement =
  | { readonly trigger: TriggerManifest; readonly enforced: true; readonly service: string; readonly how: string }
  | { readonly trigger: TriggerManifest; readonly enforced: false; readonly why: string };

/** How each CEL Trigger's filter holds on a real cluster, and why not where it cannot. */
export function celEnforcement(manifests: Manifests, projectDir: string): CelEnforcement[] {
  return manifests.triggers
    .filter((t) => t.cel !== undefined)
    .map((trigger): CelEnforcement => {
      const { ref, uri } = trigger.subscriber;
      const name = trigger.metadata.name;
      if (!ref || ref.kind !== 'Service') {
        return { trigger, enforced: false, why: `its subscriber is ${ref ? `a ${ref.kind}` : 'a URI'}, which no eventyard code runs in front of: a cluster delivers every event the Knative filters pass` };
      }
      if (!existsSync(path.join(projectDir, 'functions', ref.name))) {
        return { trigger, enforced: false, why: `Service ${ref.name} is not a function of this project (no functions/${ref.name}/), so nothing checks the expression` };
      }
      if (triggerFromUri(uri) !== name) {
        return { trigger, enforced: false, why: `spec.subscriber needs uri: "?${TRIGGER_QUERY}=${name}" so that the function knows which Trigger delivered the event` };
      }
      return { trigger, enforced: true, service: ref.name, how: `the function image of Service ${ref.name} checks it (Trigger named by ?${TRIGGER_QUERY}=${name})` };
    });
}

function triggerFromUri(uri: string | undefined): string | null {
  if (!uri) return null;
  const q = uri.indexOf('?');
  return q === -1 ? null : new URLSearchParams(uri.slice(q)).get(TRIGGER_QUERY);
}

/**
 * The CEL expressions a function must enforce, by Trigger name: those of the Triggers whose
 * subscriber is its Service. They are built into the function's bundle.
 */
export function celGuardsFor(manifests: Manifests, projectDir: string, service: string): Record<string, string> {
  const guards: Record<string, string> = {};
  for (const e of celEnforcement(manifests, projectDir)) {
    if (e.enforced && e.service === service) guards[e.trigger.metadata.name] = e.trigger.cel!;
  }
  return guards;
}

export function compileGuards(expressions: Readonly<Record<string, string>>): Map<string, EventFilter> {
  return new Map(Object.entries(expressions).map(([trigger, expression]) => [trigger, celFilter(expression)]));
}

/** The faas-js-runtime handler contract, as far as the guard needs it. */
type Handle<R> = (context: { query?: Record<string, unknown> }, event?: SdkCloudEvent<unknown>) => R;

/**
 * Wraps a function's `handle` so that an event delivered by a CEL Trigger reaches it only when the
 * Trigger's expression holds. A filtered event is answered with no content (204), which a broker
 * counts as delivered: the same outcome as a Trigger filter that does not match.
 */
export function guardHandle<R>(handle: Handle<R>, guards: ReadonlyMap<string, EventFilter>): Handle<R | undefined> {
  if (guards.size === 0) return handle;
  return (context, event) => {
    const trigger = context.query?.[TRIGGER_QUERY];
    const guard = typeof trigger === 'string' ? guards.get(trigger) : undefined;
    if (guard && event && guard.evaluate(fromSdkEvent(event)) !== 'pass') return undefined;
    return handle(context, event);
  };
}

/** The SDK's parsed event back in the broker's form: string attributes, data as bytes. */
function fromSdkEvent(event: SdkCloudEvent<unknown>): CloudEvent {
  const attributes = attributeRecord();
  for (const [name, value] of Object.entries(event.toJSON())) {
    if (name === 'data' || name === 'data_base64' || value === undefined || value === null) continue;
    attributes[name] = value instanceof Date ? value.toISOString() : String(value);
  }
  const data = event.data;
  let bytes: Buffer | undefined;
  if (data instanceof Uint8Array) bytes = Buffer.from(data);
  else if (typeof data === 'string') bytes = Buffer.from(data);
  else if (data !== undefined && data !== null) bytes = Buffer.from(JSON.stringify(data));
  return { attributes, data: bytes };
}

import type { CloudEvent } from '../events/event.js';
import { explainFilter, type Explanation } from '../filters/explain.js';
import type { TriggerManifest } from '../manifests/trigger.js';

/** Whether one Trigger delivers an event, and why. */
export interface TriggerExplanation {
  readonly trigger: string;
  readonly broker: string;
  readonly file: string;
  readonly delivered: boolean;
  readonly explanation: Explanation;
}

/** Explains every Trigger (of one broker, when given) for an event, as the broker would filter it. */
export function explainTriggers(triggers: readonly TriggerManifest[], event: CloudEvent, broker?: string): TriggerExplanation[] {
  return triggers
    .filter((t) => broker === undefined || `${t.metadata.namespace}/${t.broker}` === broker)
    .map((t) => {
      const explanation = explainFilter(t.filter, event);
      return {
        trigger: `${t.metadata.namespace}/${t.metadata.name}`,
        broker: `${t.metadata.namespace}/${t.broker}`,
        file: t.location.file,
        delivered: explanation.result !== 'fail',
        explanation,
      };
    });
}

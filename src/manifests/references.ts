import type { Destination, ObjectRef } from './destination.js';
import type { Manifests } from './load.js';
import { objectKey } from './metadata.js';
import { ProblemList, type Problem } from './problems.js';
import { bindsTo } from './sink-binding.js';

/** Kinds a Destination ref may name that this project can resolve, by apiVersion group. */
export const ADDRESSABLE_KINDS: Readonly<Record<string, string>> = {
  Broker: 'eventing.knative.dev/v1',
  Service: 'serving.knative.dev/v1',
};

/** Checks that every Trigger's broker and every ref points at an object of the manifests. */
export function checkReferences(manifests: Omit<Manifests, 'problems'>): Problem[] {
  const known = new Set<string>();
  for (const o of [...manifests.brokers, ...manifests.triggers, ...manifests.services, ...manifests.sources, ...manifests.sinkBindings, ...manifests.others]) {
    known.add(objectKey(o.kind, o.metadata.namespace, o.metadata.name));
  }
  const problems: Problem[] = [];
  const checkRef = (list: ProblemList, field: string, ref: ObjectRef) => {
    const expected = ADDRESSABLE_KINDS[ref.kind];
    if (!expected) {
      list.warn(`${field}.kind`, `${ref.kind} is not a kind this project defines; it can only be resolved on a cluster`);
    } else if (ref.apiVersion !== expected) {
      list.error(`${field}.apiVersion`, `${ref.kind} is ${expected}, got "${ref.apiVersion}"`);
    } else if (known.has(objectKey(ref.kind, ref.namespace, ref.name))) {
      return;
    } else if (ref.kind === 'Service' && manifests.functions.includes(ref.name)) {
      list.warn(field, `no Knative Service ${ref.namespace}/${ref.name} in eventing/: the local runtime runs functions/${ref.name} with Knative's default scaling, but on a cluster the Service must exist (add eventing/${ref.name}.yaml, or kn func deploy)`);
    } else {
      const hint = ref.kind === 'Service' ? ` and there is no functions/${ref.name}/index.ts` : '';
      list.error(field, `${objectKey(ref.kind, ref.namespace, ref.name)} is not defined in the manifests${hint}`);
    }
  };
  const checkDestination = (list: ProblemList, field: string, destination: Destination | undefined) => {
    if (destination?.ref) checkRef(list, `${field}.ref`, destination.ref);
  };

  for (const b of manifests.brokers) {
    const list = new ProblemList(b.location, objectKey('Broker', b.metadata.namespace, b.metadata.name));
    checkDestination(list, 'spec.delivery.deadLetterSink', b.delivery?.deadLetterSink);
    problems.push(...list.items);
  }
  for (const t of manifests.triggers) {
    const list = new ProblemList(t.location, objectKey('Trigger', t.metadata.namespace, t.metadata.name));
    if (!known.has(objectKey('Broker', t.metadata.namespace, t.broker))) {
      list.error('spec.broker', `Broker ${t.metadata.namespace}/${t.broker} is not defined in the manifests`);
    }
    checkDestination(list, 'spec.subscriber', t.subscriber);
    checkDestination(list, 'spec.delivery.deadLetterSink', t.delivery?.deadLetterSink);
    problems.push(...list.items);
  }
  for (const s of manifests.sources) {
    const list = new ProblemList(s.location, objectKey(s.kind, s.metadata.namespace, s.metadata.name));
    checkDestination(list, 'spec.sink', s.sink);
    checkDestination(list, 'spec.delivery.deadLetterSink', s.delivery?.deadLetterSink);
    problems.push(...list.items);
  }
  const boundBy = new Map<string, string>();
  for (const b of manifests.sinkBindings) {
    const list = new ProblemList(b.location, objectKey('SinkBinding', b.metadata.namespace, b.metadata.name));
    checkDestination(list, 'spec.sink', b.sink);
    const { subject } = b;
    if (subject.kind !== 'Service' || subject.apiVersion !== ADDRESSABLE_KINDS.Service) {
      list.warn('spec.subject', `the local runtime binds only Knative Services (${ADDRESSABLE_KINDS.Service}); this ${subject.kind} is bound on a cluster only`);
    } else {
      const bound = manifests.services.filter((s) => bindsTo(subject, s));
      // A function without a Service manifest is bound by name; the Trigger checks warn about it.
      if (bound.length === 0 && !(subject.name !== undefined && manifests.functions.includes(subject.name))) {
        list.error('spec.subject', subject.name !== undefined ? `Service ${subject.namespace}/${subject.name} is not defined in the manifests` : 'no Service of the manifests matches the selector');
      }
      for (const s of bound) {
        const key = objectKey('Service', s.metadata.namespace, s.metadata.name);
        const other = boundBy.get(key);
        if (other) list.error('spec.subject', `${key} is already the subject of ${other}: two bindings would both set its K_SINK`);
        else boundBy.set(key, objectKey('SinkBinding', b.metadata.namespace, b.metadata.name));
      }
    }
    problems.push(...list.items);
  }
  return problems;
}

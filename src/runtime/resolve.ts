import { httpTarget, type HttpTarget } from '../delivery/http-sender.js';
import { describeDestination, type Destination } from '../manifests/destination.js';
import type { Manifests } from '../manifests/load.js';
import { serviceUrl } from '../serving/serving-runtime.js';

export type Resolution = { readonly ok: true; readonly target: HttpTarget } | { readonly ok: false; readonly reason: string };

/** How the local runtime reaches things a Destination ref can name. */
export interface AddressBook {
  /** The ingress URL of a Broker of the manifests, or undefined. */
  broker(namespace: string, name: string): string | undefined;
  /** The local address of a Knative Service that runs a function of the project, or undefined. */
  service(namespace: string, name: string): string | undefined;
}

/**
 * Resolves a Destination to an http URL: a uri as is; a Broker ref to this runtime's ingress; a
 * Service ref to the local instances of the function it runs; a uri
 * next to a ref relative to the ref's address (duck/v1 Destination).
 */
export function resolveDestination(destination: Destination, addresses: AddressBook): Resolution {
  if (!destination.ref) return { ok: true, target: httpTarget(destination.uri) };
  const { ref } = destination;
  let address: string | undefined;
  if (ref.kind === 'Broker') {
    address = addresses.broker(ref.namespace, ref.name);
    if (!address) return { ok: false, reason: `Broker ${ref.namespace}/${ref.name} is not defined in the manifests` };
  } else if (ref.kind === 'Service') {
    address = addresses.service(ref.namespace, ref.name);
    if (!address) {
      return {
        ok: false,
        reason: `${describeDestination(destination)}: the local runtime runs only this project's functions, and there is no functions/${ref.name}/index.ts`,
      };
    }
  } else {
    return { ok: false, reason: `${ref.kind} ${ref.namespace}/${ref.name}: the local runtime cannot resolve a ${ref.kind}; use a uri` };
  }
  return { ok: true, target: httpTarget(destination.uri ? new URL(destination.uri, `${address}/`).href : address) };
}

/** Addresses in the local runtime at `baseUrl`: its Brokers' ingress, its functions' Services. */
export function localAddressBook(manifests: Manifests, baseUrl: string): AddressBook {
  const brokers = new Set(manifests.brokers.map((b) => `${b.metadata.namespace}/${b.metadata.name}`));
  return {
    broker: (ns, name) => (brokers.has(`${ns}/${name}`) ? brokerUrl(baseUrl, ns, name) : undefined),
    service: (ns, name) => (manifests.functions.includes(name) ? serviceUrl(baseUrl, ns, name) : undefined),
  };
}

export function brokerUrl(baseUrl: string, namespace: string, name: string): string {
  return `${baseUrl}/${namespace}/${name}`;
}

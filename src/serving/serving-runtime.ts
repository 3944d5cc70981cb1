import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Manifests } from '../manifests/load.js';
import type { Logger } from '../observability/logger.js';
import { bundleFunctions, DEV_BUILD_DIR, functionsToBundle } from './function-bundle.js';
import { FunctionService, type FunctionServiceSpec, type ServiceStats } from './function-service.js';
import type { AutoscalerConfig } from './kpa.js';
import { DEFAULT_SCALE_SETTINGS } from './scale-settings.js';
import { DEFAULT_TIMEOUT_MS, SERVICE_API } from '../manifests/service.js';
import { localServiceEnv } from './service-environment.js';

/** The path under which the dev server serves each local Knative Service. */
export const SERVICES_PATH = '/_/services/';

export function serviceUrl(baseUrl: string, namespace: string, name: string): string {
  return `${baseUrl}${SERVICES_PATH}${namespace}/${name}`;
}

/**
 * The functions of a project served as Knative Services: each reachable at
 * `/_/services/<namespace>/<name>/`, scaled by its own autoscaler. A Service manifest in eventing/
 * gives its settings; a function a Trigger names without one runs with Knative's defaults.
 */
export interface ServingOptions {
  readonly projectDir: string;
  /** The dev server's address, which SinkBindings to local Brokers and Services resolve against. */
  readonly baseUrl: string;
  readonly autoscaler: AutoscalerConfig;
  /** The Kafka given to `dev`, which functions get as KAFKA_BOOTSTRAP_SERVERS. */
  readonly kafkaBootstrapServers?: readonly string[];
  readonly logger: Logger;
}

export class ServingRuntime extends EventEmitter<{ change: [ServiceStats] }> {
  private readonly services = new Map<string, FunctionService>();

  private constructor(
    private readonly manifests: Manifests,
    private readonly bundles: ReadonlyMap<string, string>,
    private readonly options: ServingOptions,
  ) {
    super();
    for (const s of manifests.services) {
      if (bundles.has(s.metadata.name)) this.service(s.metadata.namespace, s.metadata.name);
    }
  }

  /** Bundles every function of the project (a build error throws), then serves them from zero. */
  static async start(manifests: Manifests, options: ServingOptions): Promise<ServingRuntime> {
    const { projectDir } = options;
    const bundles = await bundleFunctions(projectDir, functionsToBundle(manifests, projectDir), path.join(projectDir, DEV_BUILD_DIR));
    return new ServingRuntime(manifests, bundles, options);
  }

  /** Serves a request under /_/services/; false when the path names no function. */
  handle(req: IncomingMessage, res: ServerResponse, urlPath: string, search: string): boolean {
    const rest = urlPath.slice(SERVICES_PATH.length);
    const [namespace, name] = rest.split('/', 2);
    if (!namespace || !name) return false;
    const service = this.service(namespace, name);
    if (!service) return false;
    const forwarded = rest.slice(`${namespace}/${name}`.length) || '/';
    service.handle(req, res, `${forwarded}${search}`);
    return true;
  }

  stats(): ServiceStats[] {
    return [...this.services.values()].map((s) => s.stats());
  }

  find(namespace: string, name: string): FunctionService | undefined {
    return this.services.get(`${namespace}/${name}`);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop()));
  }

  /** The running Service, created on first use for a function without a Service manifest. */
  private service(namespace: string, name: string): FunctionService | undefined {
    const key = `${namespace}/${name}`;
    const existing = this.services.get(key);
    if (existing) return existing;
    const bundle = this.bundles.get(name);
    if (!bundle) return undefined;
    const service = new FunctionService(this.specOf(namespace, name, bundle), this.options.autoscaler, this.options.logger);
    service.on('change', () => this.emit('change', service.stats()));
    this.services.set(key, service);
    return service;
  }

  private specOf(namespace: string, name: string, bundle: string): FunctionServiceSpec {
    const { projectDir, baseUrl, kafkaBootstrapServers } = this.options;
    const manifest = this.manifests.services.find((s) => s.metadata.namespace === namespace && s.metadata.name === name);
    // A function without a Service manifest runs as the Service `kn func deploy` would make of it.
    const service = manifest ?? { location: { file: '', document: 0 }, apiVersion: SERVICE_API, kind: 'Service', metadata: { namespace, name, labels: {}, annotations: {} } };
    const env = localServiceEnv(this.manifests, baseUrl, service, manifest?.env ?? {}, kafkaBootstrapServers);
    if (manifest) {
      const { containerConcurrency, timeoutMs, scale } = manifest;
      return { namespace, name, bundle, projectDir, env, containerConcurrency, timeoutMs, scale };
    }
    return { namespace, name, bundle, projectDir, env, containerConcurrency: 0, timeoutMs: DEFAULT_TIMEOUT_MS, scale: DEFAULT_SCALE_SETTINGS };
  }
}

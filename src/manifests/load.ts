import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { hasFunction } from '../serving/function-bundle.js';
import { readBrokerSpec, type BrokerManifest } from './broker.js';
import { CrdRegistry, funcYamlProblems } from './crd-schema.js';
import { FieldReader, isObject } from './fields.js';
import { objectKey, readMetadata, type ManifestObject } from './metadata.js';
import { ProblemList, type Problem } from './problems.js';
import { checkReferences } from './references.js';
import { KAFKA_SOURCE_APIS, readKafkaSourceSpec, type KafkaSourceManifest } from './kafka-source.js';
import { readRocketMQSourceSpec, ROCKETMQ_SOURCE_API, type RocketMQSourceManifest } from './rocketmq-source.js';
import { readServiceSpec, SERVICE_API, type ServiceManifest } from './service.js';
import { readSinkBindingSpec, SINK_BINDING_API, type SinkBindingManifest } from './sink-binding.js';
import { readTriggerSpec, type TriggerManifest } from './trigger.js';

export type SourceManifest = KafkaSourceManifest | RocketMQSourceManifest;

/** The folders of a project that hold manifests (design.md layout). */
export const MANIFEST_FOLDERS = ['eventing', 'sources', 'triggers'] as const;

export interface Manifests {
  readonly brokers: readonly BrokerManifest[];
  readonly triggers: readonly TriggerManifest[];
  /** Knative Services; those named after a function of functions/ run locally. */
  readonly services: readonly ServiceManifest[];
  readonly sources: readonly SourceManifest[];
  /** SinkBindings: they give the instances of their subject Services K_SINK and K_CE_OVERRIDES. */
  readonly sinkBindings: readonly SinkBindingManifest[];
  /** Objects of kinds the local runtime does not run (ConfigMaps, CRDs, …), kept for references. */
  readonly others: readonly ManifestObject[];
  /** The functions of the project: folders functions/<name>/ with an index.ts. */
  readonly functions: readonly string[];
  readonly problems: readonly Problem[];
  readonly files: readonly string[];
}

/**
 * Loads every YAML document under the project's manifest folders and checks it against its CRD
 * schema (the project's own CRDs included); never throws on bad content.
 */
export async function loadManifests(projectDir: string): Promise<Manifests> {
  const files: string[] = [];
  for (const folder of MANIFEST_FOLDERS) files.push(...(await yamlFiles(path.join(projectDir, folder))));
  const documents: { value: unknown; problems: ProblemList }[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    const display = path.relative(projectDir, file) || file;
    const docs = parseAllDocuments(await readFile(file, 'utf8'), { prettyErrors: true });
    (Array.isArray(docs) ? docs : [docs]).forEach((doc, i) => {
      const docProblems = new ProblemList({ file: display, document: i + 1 });
      if (doc.errors.length > 0) {
        for (const e of doc.errors) docProblems.error('', `YAML syntax: ${e.message.split('\n')[0]}`);
        problems.push(...docProblems.items);
      } else {
        const value: unknown = doc.toJS();
        if (value !== null && value !== undefined) documents.push({ value, problems: docProblems });
      }
    });
  }

  // The project's own CRDs first: they may come after the objects they define.
  const crds = new CrdRegistry();
  for (const { value, problems: list } of documents) {
    if (isObject(value) && value.kind === 'CustomResourceDefinition') {
      const error = crds.add(value);
      if (error) list.error('', error);
    }
  }

  const brokers: BrokerManifest[] = [];
  const triggers: TriggerManifest[] = [];
  const services: ServiceManifest[] = [];
  const sources: SourceManifest[] = [];
  const sinkBindings: SinkBindingManifest[] = [];
  const others: ManifestObject[] = [];
  const seen = new Map<string, string>();
  for (const { value, problems: list } of documents) {
    const object = readObject(value, list);
    crds.problems(value, list);
    if (object && !list.hasErrors) {
      const key = objectKey(object.kind, object.metadata.namespace, object.metadata.name);
      const where = `${list.location.file} (document ${list.location.document})`;
      const first = seen.get(key);
      if (first) list.error('metadata.name', `${key} is defined twice (first in ${first})`);
      else seen.set(key, where);
      if (object.kind === 'Broker') brokers.push(object as BrokerManifest);
      else if (object.kind === 'Trigger') triggers.push(object as TriggerManifest);
      else if (object.kind === 'Service' && object.apiVersion === SERVICE_API) services.push(object as ServiceManifest);
      else if (object.kind === 'KafkaSource' || object.kind === 'RocketMQSource') sources.push(object as SourceManifest);
      else if (object.kind === 'SinkBinding' && object.apiVersion === SINK_BINDING_API) sinkBindings.push(object as SinkBindingManifest);
      else others.push(object);
    }
    problems.push(...list.items);
  }
  const funcYaml = await readFile(path.join(projectDir, 'func.yaml'), 'utf8').catch(() => undefined);
  if (funcYaml !== undefined) problems.push(...funcYamlProblems(funcYaml, 'func.yaml'));
  const functions = await functionNames(projectDir);
  const manifests = { brokers, triggers, services, sources, sinkBindings, others, functions, problems, files };
  problems.push(...checkReferences(manifests));
  return manifests;
}

function readObject(value: unknown, problems: ProblemList): ManifestObject | undefined {
  if (!isObject(value)) {
    problems.error('', 'a manifest must be a YAML mapping with apiVersion, kind and metadata');
    return undefined;
  }
  const top = new FieldReader(value, '', problems);
  const apiVersion = top.string('apiVersion', { required: true });
  const kind = top.string('kind', { required: true });
  const metaReader = top.object('metadata', { required: true });
  const metadata = metaReader ? readMetadata(metaReader) : undefined;
  if (!apiVersion || !kind || !metadata) return undefined;
  problems.object = objectKey(kind, metadata.namespace, metadata.name);
  const base: ManifestObject = { location: problems.location, apiVersion, kind, metadata };

  if (apiVersion === 'eventing.knative.dev/v1' && (kind === 'Broker' || kind === 'Trigger')) {
    const spec = top.object('spec', { required: kind === 'Trigger' });
    top.raw('status');
    top.rejectUnknown();
    const object = kind === 'Broker' ? readBrokerSpec(spec, base) : readTriggerSpec(spec, base);
    return problems.hasErrors ? undefined : object;
  }
  if (kind === 'Broker' || kind === 'Trigger') {
    top.error('apiVersion', `${kind} is eventing.knative.dev/v1, got "${apiVersion}"`);
    return undefined;
  }
  if (apiVersion === SERVICE_API && kind === 'Service') {
    return readServiceSpec(top.object('spec', { required: true }), base);
  }
  if (KAFKA_SOURCE_APIS.includes(apiVersion) && kind === 'KafkaSource') {
    return readKafkaSourceSpec(top.object('spec', { required: true }), base);
  }
  if (apiVersion === SINK_BINDING_API && kind === 'SinkBinding') {
    return readSinkBindingSpec(top.object('spec', { required: true }), base);
  }
  if (apiVersion === ROCKETMQ_SOURCE_API && kind === 'RocketMQSource') {
    return readRocketMQSourceSpec(top.object('spec', { required: true }), base);
  }
  return base;
}

async function yamlFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await yamlFiles(full)));
    // kustomization.yaml configures `kubectl apply -k`; it is not a Kubernetes object.
    else if (/\.ya?ml$/i.test(entry.name) && !/^kustomization\.ya?ml$/i.test(entry.name)) out.push(full);
  }
  return out;
}

async function functionNames(projectDir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(path.join(projectDir, 'functions'), { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return entries.filter((e) => e.isDirectory() && hasFunction(projectDir, e.name)).map((e) => e.name).sort();
}

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { readBrokerSpec, type BrokerManifest } from './broker.js';
import { FieldReader, isObject } from './fields.js';
import { objectKey, readMetadata, type ManifestObject } from './metadata.js';
import { ProblemList, type Problem } from './problems.js';
import { checkReferences } from './references.js';
import { readTriggerSpec, type TriggerManifest } from './trigger.js';

/** The folders of a project that hold manifests (design.md layout). */
export const MANIFEST_FOLDERS = ['eventing', 'sources', 'triggers'] as const;

export interface Manifests {
  readonly brokers: readonly BrokerManifest[];
  readonly triggers: readonly TriggerManifest[];
  /** Objects of kinds the local runtime does not run (Services, ConfigMaps, …), kept for references. */
  readonly others: readonly ManifestObject[];
  readonly problems: readonly Problem[];
  readonly files: readonly string[];
}

/** Loads every YAML document under the project's manifest folders; never throws on bad content. */
export async function loadManifests(projectDir: string): Promise<Manifests> {
  const files: string[] = [];
  for (const folder of MANIFEST_FOLDERS) files.push(...(await yamlFiles(path.join(projectDir, folder))));
  const brokers: BrokerManifest[] = [];
  const triggers: TriggerManifest[] = [];
  const others: ManifestObject[] = [];
  const problems: Problem[] = [];
  const seen = new Map<string, string>();

  for (const file of files) {
    const display = path.relative(projectDir, file) || file;
    const text = await readFile(file, 'utf8');
    const docs = parseAllDocuments(text, { prettyErrors: true });
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((doc, i) => {
      const docProblems = new ProblemList({ file: display, document: i + 1 });
      if (doc.errors.length > 0) {
        for (const e of doc.errors) docProblems.error('', `YAML syntax: ${e.message.split('\n')[0]}`);
      } else {
        const value: unknown = doc.toJS();
        if (value !== null && value !== undefined) {
          const object = readObject(value, docProblems);
          if (object) {
            const key = objectKey(object.kind, object.metadata.namespace, object.metadata.name);
            const first = seen.get(key);
            if (first) docProblems.error('metadata.name', `${key} is defined twice (first in ${first})`);
            else seen.set(key, `${display} (document ${i + 1})`);
            if (object.kind === 'Broker') brokers.push(object as BrokerManifest);
            else if (object.kind === 'Trigger') triggers.push(object as TriggerManifest);
            else others.push(object);
          }
        }
      }
      problems.push(...docProblems.items);
    });
  }
  const manifests = { brokers, triggers, others, problems, files };
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

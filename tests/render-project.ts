// The render farm as `eventyard dev` runs it, for the render tests and the render bench: a copy of
// the repo's render functions, src/render, src/function-kit and render manifests in a fresh
// project folder (so the blob store and bundles stay out of the repo), started on a free port.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { FileBlobStore, type BlobStore } from '../src/function-kit/blob-store.js';
import { startDev, type DevOptions, type DevServer } from '../src/runtime/dev-server.js';

const REPO = path.resolve(import.meta.dirname, '..');

/** What a render project copies from the repo. */
const COPIED = [
  'functions/render-order',
  'functions/render-tile',
  'functions/render-assemble',
  'src/render',
  'src/function-kit',
  'eventing/broker.yaml',
  'eventing/render-order.yaml',
  'eventing/render-tile.yaml',
  'eventing/render-assemble.yaml',
  'eventing/render-sinkbinding.yaml',
  'triggers/render-order.yaml',
  'triggers/render-tile.yaml',
  'triggers/render-assemble.yaml',
];

export interface RenderProjectOptions {
  /** Also copy sources/rendering-kafka.yaml; give dev its Kafka with `peers`. */
  readonly kafkaSource?: boolean;
  readonly peers?: DevOptions['peers'];
  readonly autoscaler?: DevOptions['autoscaler'];
  /** A URL that gets every event of the broker (a Trigger without filter). */
  readonly watchUrl?: string;
  /** Changes a copied manifest's text (path relative to the project). */
  readonly edit?: (file: string, text: string) => string;
}

export interface RenderProject {
  readonly dev: DevServer;
  readonly dir: string;
  /** The project's blob store, as its functions see it. */
  readonly blobs: BlobStore;
  readonly brokerUrl: string;
  /** The URL of a Knative Service of the project (calling the function directly). */
  serviceUrl(name: string): string;
  close(): Promise<void>;
}

export async function startRenderProject(options: RenderProjectOptions = {}): Promise<RenderProject> {
  const dir = await mkdtemp(path.join(tmpdir(), 'eventyard-render-'));
  const files = options.kafkaSource ? [...COPIED, 'sources/rendering-kafka.yaml'] : COPIED;
  for (const file of files) {
    const to = path.join(dir, file);
    await cp(path.join(REPO, file), to, { recursive: true, filter: (src) => !src.endsWith('.test.ts') });
    if (file.endsWith('.yaml') && options.edit) await writeFile(to, options.edit(file, await readFile(to, 'utf8')));
  }
  await writeFile(path.join(dir, 'package.json'), '{"type": "module"}\n');
  if (options.watchUrl) {
    await mkdir(path.join(dir, 'triggers'), { recursive: true });
    await writeFile(
      path.join(dir, 'triggers/watch.yaml'),
      `apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: watch
  namespace: default
spec:
  broker: default
  subscriber:
    uri: ${options.watchUrl}
`,
    );
  }
  let dev: DevServer;
  try {
    dev = await startDev({ dir, port: 0, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), peers: options.peers, autoscaler: options.autoscaler });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    dev,
    dir,
    blobs: new FileBlobStore(path.join(dir, '.eventyard', 'blobs')),
    brokerUrl: `${dev.url}/default/default`,
    serviceUrl: (name) => `${dev.url}/_/services/default/${name}`,
    async close() {
      await dev.close(1000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

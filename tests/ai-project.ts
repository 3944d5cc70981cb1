// A temporary eventyard project made of the repository's own AI manifests and functions, plus
// Triggers that send what comes out to a test subscriber. Used by tests/ai-*.test.ts.
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startDev, type DevServer } from '../src/runtime/dev-server.js';
import type { Subscriber } from './helpers/subscriber.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const FUNCTIONS = ['frame-infer', 'train-control', 'chat-infer'] as const;

export interface AiProject {
  readonly dev: DevServer;
  readonly brokerUrl: string;
  close(): Promise<void>;
}

const observe = (name: string, filter: string, url: string) => `---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: ${name}
  namespace: default
spec:
  broker: default
  filters:
    - cesql: ${JSON.stringify(filter)}
  subscriber:
    uri: ${url}
`;

/**
 * Starts `eventyard dev` on a copy of the repo's Broker, the Services and Triggers of frame-infer,
 * train-control and chat-infer (the files as committed), their functions (each a one-line module
 * re-exporting the repo's, so the bundler builds the real code) and models/. What they reply goes to
 * `subscriber`: /classified, /commands, /scored, and dead letters to /dead-letters.
 */
export async function startAiProject(subscriber: Subscriber): Promise<AiProject> {
  const dir = await mkdtemp(path.join(tmpdir(), 'eventyard-ai-'));
  await writeFile(path.join(dir, 'package.json'), '{"type": "module"}\n');
  for (const folder of ['eventing', 'triggers']) await mkdir(path.join(dir, folder));
  await cp(path.join(ROOT, 'eventing/broker.yaml'), path.join(dir, 'eventing/broker.yaml'));
  for (const name of FUNCTIONS) {
    await cp(path.join(ROOT, `eventing/${name}.yaml`), path.join(dir, `eventing/${name}.yaml`));
    await cp(path.join(ROOT, `triggers/${name}.yaml`), path.join(dir, `triggers/${name}.yaml`));
    await mkdir(path.join(dir, 'functions', name), { recursive: true });
    await writeFile(path.join(dir, 'functions', name, 'index.ts'), `export * from ${JSON.stringify(path.join(ROOT, 'functions', name, 'index.ts'))};\n`);
  }
  await symlink(path.join(ROOT, 'models'), path.join(dir, 'models'));
  await writeFile(
    path.join(dir, 'triggers/observers.yaml'),
    observe('classified', "type = 'dev.eventyard.frame.classified'", subscriber.url('/classified')) +
      observe('commands', "type = 'dev.eventyard.train.command'", subscriber.url('/commands')) +
      observe('scored', "type = 'dev.eventyard.chat.scored'", subscriber.url('/scored')) +
      observe('dead-letters', 'EXISTS knativeerrordest', subscriber.url('/dead-letters')),
  );
  const dev = await startDev({ dir, port: 0, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
  return {
    dev,
    brokerUrl: `${dev.url}/default/default`,
    async close() {
      await dev.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The JSON data of a request a subscriber received (binary mode). */
export function dataOf<T>(request: { body: Buffer }): T {
  return JSON.parse(request.body.toString()) as T;
}

export async function readRepoFile(file: string): Promise<string> {
  return readFile(path.join(ROOT, file), 'utf8');
}

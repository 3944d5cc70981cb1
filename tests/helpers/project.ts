import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startDev, type DevOptions, type DevServer } from '../../src/runtime/dev-server.js';

export const BROKER_YAML = `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
  namespace: default
`;

/** Writes manifest files (path → YAML) into a fresh project folder. */
export async function writeProject(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'eventyard-test-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

export interface RunningProject {
  readonly dev: DevServer;
  readonly dir: string;
  /** The ingress URL of a broker. */
  brokerUrl(namespace?: string, name?: string): string;
  close(): Promise<void>;
}

/** Starts the real runtime (`eventyard dev`) on a free port for a project made of `files`. */
export async function startProject(files: Record<string, string>, options: Pick<DevOptions, 'maxBodyBytes' | 'maxPendingDeliveries' | 'autoscaler' | 'peers'> = {}): Promise<RunningProject> {
  const dir = await writeProject(files);
  const dev = await startDev({ dir, port: 0, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), ...options });
  return {
    dev,
    dir,
    brokerUrl: (namespace = 'default', name = 'default') => `${dev.url}/${namespace}/${name}`,
    async close() {
      await dev.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A Trigger manifest; `spec` is YAML indented by 2 under `spec:`. */
export function trigger(name: string, spec: string, extra = ''): string {
  return `---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: ${name}
  namespace: default
${extra}spec:
${spec.replace(/^\n/, '').replace(/\s+$/, '')}
`;
}

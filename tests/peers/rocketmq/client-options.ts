// How rocketmq-client-nodejs must be configured to talk to the fake proxy.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeRocketMq } from './fake-proxy.js';

export interface RocketMqClientLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  close(): void;
}

/**
 * Replaces the client's default egg-logger (INFO lines into ~/logs/rocketmq/rocketmq_client_nodejs.log).
 * debug must exist: Transaction.commit() calls logger.debug unguarded. With FAKE_ROCKETMQ_LOG=1 the
 * client's warnings and errors go to stderr, which helps when a test hangs in startup().
 */
export function clientLogger(): RocketMqClientLogger {
  const loud = process.env.FAKE_ROCKETMQ_LOG === '1';
  const print = (level: string) => (...args: unknown[]) => {
    if (loud) console.error(`[rocketmq-client ${level}]`, ...args);
  };
  return { info: () => {}, debug: () => {}, warn: print('warn'), error: print('error'), close: () => {} };
}

/** The BaseClientOptions every Producer / SimpleConsumer / PushConsumer needs for the fake. */
export function clientOptions(fake: Pick<FakeRocketMq, 'endpoint'>) {
  return {
    endpoints: fake.endpoint, // "127.0.0.1:port"; the fake routes every queue to itself
    namespace: '', // required by the typings; the fake ignores namespaces
    sslEnabled: false, // the fake listens in plaintext (h2c)
    requestTimeout: 3000, // the client's minimum is 1000 ms
    logger: clientLogger(),
  };
}

interface PushConsumerLike {
  startup(): Promise<void>;
  shutdown(): Promise<void>;
  getConsumeService(): unknown;
}

/**
 * PushConsumer.startup() with $HOME pointed at a temp dir: its StandardConsumeService ignores the
 * logger option and always opens $HOME/logs/rocketmq/rocketmq_client_nodejs.log.
 */
export async function startPushConsumer(push: PushConsumerLike): Promise<void> {
  const home = process.env.HOME;
  process.env.HOME = await mkdtemp(join(tmpdir(), 'rocketmq-home-'));
  try {
    await push.startup();
  } finally {
    process.env.HOME = home;
  }
}

/** PushConsumer.shutdown(), then close that logger: its flush interval would keep the process alive. */
export async function shutdownPushConsumer(push: PushConsumerLike): Promise<void> {
  await push.shutdown();
  (push.getConsumeService() as { logger?: { close?(): void } } | undefined)?.logger?.close?.();
}

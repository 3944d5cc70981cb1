import { readDestination, type Destination } from './destination.js';
import { parseIsoDuration } from './duration.js';
import type { FieldReader } from './fields.js';

export type BackoffPolicy = 'linear' | 'exponential';

/** duck/v1 DeliverySpec, with durations in milliseconds. Absent fields are undefined. */
export interface DeliverySpec {
  readonly retry?: number;
  readonly backoffPolicy?: BackoffPolicy;
  readonly backoffDelayMs?: number;
  readonly timeoutMs?: number;
  readonly retryAfterMaxMs?: number;
  readonly deadLetterSink?: Destination;
  /** Forces structured (`json`) or binary content mode on deliveries; binary when absent. */
  readonly format?: 'json' | 'binary';
}

export function readDelivery(reader: FieldReader, defaultNamespace: string): DeliverySpec {
  const retry = reader.integer('retry', { min: 0, max: 2147483647 });
  const backoffPolicy = reader.oneOf('backoffPolicy', ['linear', 'exponential'] as const);
  const backoffDelayMs = duration(reader, 'backoffDelay', { min: 0 });
  const timeoutMs = duration(reader, 'timeout', { min: 1 });
  const retryAfterMaxMs = duration(reader, 'retryAfterMax', { min: 0 });
  if (retryAfterMaxMs !== undefined) {
    reader.warn('retryAfterMax', 'needs the "delivery-retryafter" feature in config-features; a stock cluster rejects it');
  }
  const format = reader.oneOf('format', ['json', 'binary'] as const);
  const dlsReader = reader.object('deadLetterSink');
  const deadLetterSink = dlsReader ? readDestination(dlsReader, defaultNamespace) : undefined;
  reader.rejectUnknown();
  return { retry, backoffPolicy, backoffDelayMs, timeoutMs, retryAfterMaxMs, deadLetterSink, format };
}

function duration(reader: FieldReader, key: string, { min }: { min: number }): number | undefined {
  const text = reader.string(key);
  if (text === undefined) return undefined;
  const ms = parseIsoDuration(text);
  if (ms === undefined) {
    reader.error(key, `"${text}" is not an ISO-8601 duration (for example PT0.2S, PT10S, PT1M)`);
    return undefined;
  }
  if (ms < min) {
    reader.error(key, `"${text}" must be greater than zero`);
    return undefined;
  }
  return ms;
}

/** The content mode of deliveries: structured for `format: json`, binary otherwise (the SDK's default). */
export function contentModeOf(spec: DeliverySpec): 'structured' | 'binary' {
  return spec.format === 'json' ? 'structured' : 'binary';
}

import { withAttributes, type CloudEvent } from '../events/event.js';
import type { AttemptResult } from './attempt.js';

/** The MT broker keeps at most this many characters of base64 error data. */
const MAX_ERROR_DATA_CHARS = 1024;

/**
 * The original event with the knativeerror* extensions (knative-spec §3.22-24): the destination
 * that failed, the last HTTP status (500 when nothing answered, as MT does) and the response body.
 */
export function deadLetterEvent(event: CloudEvent, failedDestination: string, result: Extract<AttemptResult, { ok: false }>): CloudEvent {
  return withAttributes(event, {
    knativeerrordest: failedDestination,
    knativeerrorcode: String(result.status ?? 500),
    knativeerrordata: result.body.toString('base64').slice(0, MAX_ERROR_DATA_CHARS),
  });
}

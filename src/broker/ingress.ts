import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeHttpEvent } from '../events/http-binding.js';
import { InvalidEventError } from '../events/validate.js';
import type { Broker } from './broker.js';
import { passthroughHeaders } from './message.js';

/** Accepts at least the 1 MiB Knative's Kafka broker takes; larger bodies get 413 (a local limit). */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface IngressOptions {
  readonly findBroker: (namespace: string, name: string) => Broker | undefined;
  readonly maxBodyBytes: number;
  /** Why new events are refused now (the runtime is stopping), or undefined while accepting. */
  readonly refusing?: () => string | undefined;
}

/**
 * The broker ingress contract of the MT broker (knative-spec §1): POST /<namespace>/<broker>,
 * binary or structured CloudEvents, 202 when accepted, a 4xx with a reason otherwise.
 */
export function handleIngress(req: IncomingMessage, res: ServerResponse, path: string, options: IngressOptions): void {
  res.setHeader('Allow', 'POST, OPTIONS');
  if (req.method === 'OPTIONS') {
    res.writeHead(200, { 'WebHook-Allowed-Origin': '*', 'WebHook-Allowed-Rate': '*', 'content-length': '0' }).end();
    return;
  }
  if (req.method !== 'POST') return reject(req, res, 405, `method ${req.method} is not allowed: send events with POST`);
  if (path === '/' || path === '') return reject(req, res, 404, 'no broker here: POST to /<namespace>/<broker>');
  const segments = path.replace(/^\/|\/$/g, '').split('/');
  if (segments.length !== 2 || segments.some((s) => s === '')) {
    return reject(req, res, 400, `malformed broker path "${path}": expected /<namespace>/<broker>`);
  }
  const [namespace, name] = segments as [string, string];
  const broker = options.findBroker(namespace, name);
  if (!broker) return reject(req, res, 404, `broker ${namespace}/${name} does not exist`);
  const refusal = options.refusing?.();
  // 503 is retryable: a sender that retries reaches the runtime once it is back.
  if (refusal) {
    broker.refused++;
    return reject(req, res, 503, refusal);
  }

  const declared = Number(req.headers['content-length']);
  if (declared > options.maxBodyBytes) return reject(req, res, 413, tooLarge(options.maxBodyBytes));

  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > options.maxBodyBytes) {
      refused = true;
      reject(req, res, 413, tooLarge(options.maxBodyBytes));
      return;
    }
    chunks.push(chunk);
  });
  req.on('error', () => {
    refused = true; // client went away mid-body: nothing was accepted, nothing to answer
  });
  req.on('end', () => {
    if (refused) return;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    let event;
    try {
      event = decodeHttpEvent(req.headers, body);
    } catch (err) {
      if (err instanceof InvalidEventError) return reject(req, res, 400, `invalid CloudEvent: ${err.message}`);
      // A decoder bug must cost one request, not the runtime and every event it holds.
      return reject(req, res, 500, `the event could not be decoded (a bug in eventyard, please report it): ${(err as Error).message}`);
    }
    const result = broker.ingest(event, passthroughHeaders(req.headers));
    if (!result.accepted) return reject(req, res, result.status, result.reason);
    res.writeHead(202, { 'content-length': '0' }).end();
  });
}

function tooLarge(limit: number): string {
  return `event larger than ${limit} bytes (eventyard dev --max-body-bytes raises the limit)`;
}

/**
 * Bodies up to this size are read to their end before an early answer (a 404, a 405, a 503…): a
 * client still sending is then not cut off before it reads the answer (RFC 9112 §9.6), and the
 * connection stays open for its next request. Larger ones are not worth reading.
 */
const READ_BEFORE_ANSWER_BYTES = 64 * 1024;

function reject(req: IncomingMessage, res: ServerResponse, status: number, reason: string): void {
  if (res.headersSent) return;
  const answer = (close: boolean) => {
    if (res.headersSent) return;
    // A 503 is the runtime stopping or overloaded: say when to try again.
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...(status === 503 ? { 'retry-after': '1' } : {}), ...(close ? { connection: 'close' } : {}) });
    res.end(`${reason}\n`);
  };
  if (req.complete) return answer(false);
  if (status === 413) {
    // Too large already: answer now, close the connection, and let the rest drain away.
    answer(true);
    req.resume();
    return;
  }
  let read = 0;
  const onData = (chunk: Buffer) => {
    read += chunk.length;
    if (read <= READ_BEFORE_ANSWER_BYTES) return;
    req.off('data', onData).resume();
    answer(true);
  };
  req.on('data', onData);
  req.once('end', () => answer(false));
}

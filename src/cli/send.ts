import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CloudEvent, HTTP } from 'cloudevents';
import { request } from 'undici';
import { UsageError, parseFlags } from './usage.js';

export const DEFAULT_BROKER_URL = 'http://127.0.0.1:8080/default/default';

/** `eventyard send`: builds one CloudEvent with the cloudevents SDK and POSTs it; prints the status. */
export async function sendCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      type: { type: 'string' },
      source: { type: 'string' },
      id: { type: 'string' },
      subject: { type: 'string' },
      data: { type: 'string' },
      'content-type': { type: 'string' },
      ext: { type: 'string', multiple: true },
      structured: { type: 'boolean', default: false },
    },
    true,
  );
  if (positionals.length > 1) throw new UsageError(`expected at most one URL, got ${positionals.join(' ')}`);
  if (!values.type) throw new UsageError('--type is required');
  if (!values.source) throw new UsageError('--source is required');
  const url = positionals[0] ?? DEFAULT_BROKER_URL;

  const extensions: Record<string, string> = {};
  for (const pair of values.ext ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--ext expects name=value, got "${pair}"`);
    extensions[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const { data, contentType } = await readData(values.data, values['content-type']);

  let event: CloudEvent<unknown>;
  try {
    event = new CloudEvent({
      ...extensions,
      id: values.id ?? randomUUID(),
      type: values.type,
      source: values.source,
      ...(values.subject ? { subject: values.subject } : {}),
      ...(contentType ? { datacontenttype: contentType } : {}),
      ...(data !== undefined ? { data } : {}),
    });
  } catch (err) {
    throw new UsageError(`not a valid CloudEvent: ${(err as Error).message}`);
  }
  const message = values.structured ? HTTP.structured(event) : HTTP.binary(event);
  const response = await request(url, {
    method: 'POST',
    headers: message.headers as Record<string, string>,
    body: message.body as string | Buffer | undefined,
  });
  const text = await response.body.text();
  process.stdout.write(`${response.statusCode} ${event.id}${text ? ` ${text.trimEnd()}` : ''}\n`);
  return response.statusCode >= 200 && response.statusCode < 300 ? 0 : 1;
}

/** --data: inline JSON, or @file (JSON when it parses, else raw bytes). */
async function readData(flag: string | undefined, contentType: string | undefined): Promise<{ data?: unknown; contentType?: string }> {
  if (flag === undefined) return { contentType };
  if (flag.startsWith('@')) {
    const bytes = await readFile(flag.slice(1));
    if (contentType && !contentType.includes('json')) return { data: bytes, contentType };
    try {
      return { data: JSON.parse(bytes.toString('utf8')), contentType: contentType ?? 'application/json' };
    } catch {
      if (contentType) throw new UsageError(`${flag.slice(1)} is not valid JSON but --content-type is ${contentType}`);
      return { data: bytes, contentType: 'application/octet-stream' };
    }
  }
  if (contentType && !contentType.includes('json')) return { data: flag, contentType };
  try {
    return { data: JSON.parse(flag), contentType: contentType ?? 'application/json' };
  } catch {
    throw new UsageError(`--data is not valid JSON (use --content-type text/plain to send text): ${flag}`);
  }
}

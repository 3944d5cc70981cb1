/** Headers of a binary-mode CloudEvent. */
export function binaryHeaders(attributes: Record<string, string>, contentType?: string): Record<string, string> {
  const headers: Record<string, string> = { 'ce-specversion': '1.0' };
  for (const [k, v] of Object.entries(attributes)) headers[`ce-${k}`] = v;
  if (contentType) headers['content-type'] = contentType;
  return headers;
}

export interface PostResult {
  status: number;
  text: string;
  headers: Headers;
}

export async function post(url: string, headers: Record<string, string>, body?: string | Buffer, method = 'POST'): Promise<PostResult> {
  const response = await fetch(url, { method, headers, body: body as BodyInit | undefined });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

let counter = 0;

/** Sends a binary-mode event with a unique id; returns the id and the status. */
export async function sendEvent(url: string, attributes: Record<string, string> = {}, data?: unknown): Promise<{ id: string; status: number; text: string }> {
  const id = attributes.id ?? `ev-${process.pid}-${++counter}`;
  const headers = binaryHeaders({ id, type: 'test.event', source: '/tests', ...attributes }, data === undefined ? undefined : 'application/json');
  const result = await post(url, headers, data === undefined ? undefined : JSON.stringify(data));
  return { id, status: result.status, text: result.text };
}

// The display function over HTTP, under the real `eventyard dev`: what `GET /` opens, the
// headers that keep event values inert, the live stream, bounded previews, blobs, and scaling to
// zero when nobody watches.
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../src/function-kit/blob-store.js';
import { binaryHeaders, post } from './helpers/events.js';
import { startDashboard } from './helpers/browser.js';
import { BROKER_YAML, startProject, type RunningProject } from './helpers/project.js';

/** Reads a Server-Sent Events stream until `until` holds for one of its messages. */
async function readStream(url: string, until: (event: string, data: unknown) => boolean, signal: AbortSignal): Promise<{ event: string; data: unknown }[]> {
  const res = await fetch(url, { signal });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const seen: { event: string; data: unknown }[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!event || data === undefined) continue;
      const message = { event, data: JSON.parse(data) as unknown };
      seen.push(message);
      if (until(message.event, message.data)) return seen;
    }
  }
  return seen;
}

interface Record_ {
  id: string;
  data: { kind: string; text?: string; hex?: string; bytes: number; truncated: boolean };
}

describe('display over HTTP', () => {
  let project: RunningProject;
  let base: string;

  beforeAll(async () => {
    project = await startDashboard({ autoscaler: { stableWindowMs: 1500, scaleToZeroGraceMs: 500, tickMs: 250 } });
    base = `${project.dev.url}/_/services/default/display/`;
  }, 60_000);

  afterAll(() => project?.close());

  const send = (id: string, type: string, body: string | Buffer, contentType: string) =>
    post(project.brokerUrl(), binaryHeaders({ id, type, source: '/tests/display-api' }, contentType), body);

  it('GET / of eventyard dev sends a browser to the dashboard, and anything else to the API index', async () => {
    const html = await fetch(`${project.dev.url}/`, { headers: { accept: 'text/html,application/xhtml+xml' }, redirect: 'manual' });
    expect(html.status).toBe(302);
    expect(html.headers.get('location')).toBe('/_/services/default/display/');
    const api = await fetch(`${project.dev.url}/`);
    expect(await api.json()).toMatchObject({ dashboard: '/_/services/default/display/', metrics: '/metrics' });
  });

  it('serves its page and assets with a Content-Security-Policy that allows no inline script', async () => {
    for (const asset of ['', 'static/main.js', 'static/style.css']) {
      const res = await fetch(base + asset);
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      await res.arrayBuffer();
    }
    // The page refers to everything relatively: it works under dev's path prefix and at / on a cluster.
    const page = await (await fetch(base)).text();
    expect(page).not.toMatch(/(src|href)="\//);
  });

  it('streams a snapshot and then new events live, with large data truncated in the preview', async () => {
    const abort = new AbortController();
    const big = { image: 'A'.repeat(300_000), items: Array.from({ length: 500 }, (_, i) => i) };
    const reading = readStream(
      `${base}live`,
      (_event, data) => (data as { records: Record_[] }).records.some((r) => r.id === 'api-binary'),
      abort.signal,
    );
    // Most likely the events come as batches after the snapshot (the stream first waits for an instance to start).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await send('api-json', 'dev.eventyard.big', JSON.stringify(big), 'application/json')).status).toBe(202);
    expect((await send('api-text', 'dev.eventyard.text', 'x'.repeat(100_000), 'text/plain')).status).toBe(202);
    expect((await send('api-binary', 'dev.eventyard.bytes', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]), 'application/octet-stream')).status).toBe(202);
    const seen = await reading;
    abort.abort();
    expect(seen[0]!.event).toBe('snapshot');
    const records = seen.flatMap((m) => (m.data as { records: Record_[] }).records);
    const byId = new Map(records.map((r) => [r.id, r]));
    const json = byId.get('api-json')!.data;
    expect(json).toMatchObject({ kind: 'json', truncated: true });
    expect(json.bytes).toBeGreaterThan(300_000);
    expect(json.text!.length).toBeLessThanOrEqual(4000);
    const text = byId.get('api-text')!.data;
    expect(text).toMatchObject({ kind: 'text', bytes: 100_000, truncated: true });
    expect(text.text!.length).toBe(4000);
    expect(byId.get('api-binary')!.data).toMatchObject({ kind: 'binary', bytes: 8, truncated: false });
    expect(byId.get('api-binary')!.data.hex).toContain('89 50 4e 47 00 01 02 03');
  });

  it('serves render images from the blob store, and nothing outside it', async () => {
    const blobs = new FileBlobStore(path.join(project.dir, '.eventyard', 'blobs'));
    const bytes = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#336699' } }).png().toBuffer();
    await blobs.put('renders/api/tiles/0-0.png', bytes, 'image/png');
    const res = await fetch(`${base}blobs/renders/api/tiles/0-0.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    for (const bad of ['blobs/renders/api/tiles/9-9.png', 'blobs/..%2F..%2Feventing%2Fdisplay.yaml', 'blobs/.eventyard/x']) {
      const r = await fetch(base + bad);
      expect(r.status, bad).toBe(404);
      await r.arrayBuffer();
    }
  });

  it('stays up while a page watches, and scales to zero when nobody watches and no events come', async () => {
    const display = () => project.dev.serving.find('default', 'display')!.stats();
    const up = () => display().instances.ready + display().instances.starting;
    const abort = new AbortController();
    const watching = readStream(`${base}live`, () => false, abort.signal).catch(() => []);
    await expect.poll(up, { timeout: 20_000 }).toBeGreaterThan(0);
    // Several stable windows (1.5 s here) pass with no event: the open stream keeps it up.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(up()).toBeGreaterThan(0);
    abort.abort();
    await watching;
    await expect.poll(up, { timeout: 30_000, interval: 250 }).toBe(0);
  });
});

describe('GET / of a project without the display function', () => {
  it('answers the API index, even to a browser', async () => {
    const project = await startProject({ 'eventing/broker.yaml': BROKER_YAML });
    try {
      const res = await fetch(`${project.dev.url}/`, { headers: { accept: 'text/html' }, redirect: 'manual' });
      expect(res.status).toBe(200);
      const index = (await res.json()) as Record<string, unknown>;
      expect(index.dashboard).toBeUndefined();
      expect(index.brokers).toEqual([`${project.dev.url}/default/default`]);
    } finally {
      await project.close();
    }
  });
});

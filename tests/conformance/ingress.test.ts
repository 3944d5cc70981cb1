// Broker ingress contract, knative-spec §1 (MT broker ingress_handler.go and the rekt data-plane
// conformance features), exercised over HTTP against the real runtime and a real subscriber.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryHeaders, post, sendEvent } from '../helpers/events.js';
import { BROKER_YAML, startProject, trigger, type RunningProject } from '../helpers/project.js';
import { settle, Subscriber } from '../helpers/subscriber.js';

let sub: Subscriber;
let project: RunningProject;
let url: string;

beforeAll(async () => {
  sub = await Subscriber.start();
  project = await startProject(
    {
      'eventing/broker.yaml': BROKER_YAML,
      'triggers/all.yaml': trigger('all', `  broker: default\n  subscriber:\n    uri: ${sub.url('/all')}`),
    },
    { maxBodyBytes: 64 * 1024 },
  );
  url = project.brokerUrl();
});
afterAll(async () => {
  await project.close();
  await sub.close();
});

const deliveredWithId = (id: string) => sub.waitForId('/all', id);

describe('methods and paths', () => {
  it('answers OPTIONS with 200, the webhook headers and Allow', async () => {
    const r = await post(url, {}, undefined, 'OPTIONS');
    expect(r.status).toBe(200);
    expect(r.headers.get('webhook-allowed-origin')).toBe('*');
    expect(r.headers.get('webhook-allowed-rate')).toBe('*');
    expect(r.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it.each(['GET', 'PUT', 'DELETE', 'PATCH'])('rejects %s with 405 and Allow', async (method) => {
    const r = await post(url, {}, method === 'GET' ? undefined : 'x', method);
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('answers 404 for POST / and for an unknown broker, with a reason', async () => {
    const headers = binaryHeaders({ id: '1', type: 't', source: '/s' });
    expect((await post(`${project.dev.url}/`, headers)).status).toBe(404);
    const unknown = await post(`${project.dev.url}/default/nope`, headers);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('default/nope');
  });

  it('answers 400 for a path that is not /<namespace>/<broker>', async () => {
    const r = await post(`${project.dev.url}/knative/default/default`, binaryHeaders({ id: '1', type: 't', source: '/s' }));
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/namespace/);
  });

  it('tolerates one trailing slash', async () => {
    const r = await sendEvent(`${url}/`);
    expect(r.status).toBe(202);
  });
});

describe('binary and structured content modes', () => {
  it('accepts a binary event with 202 and an empty body, and delivers it', async () => {
    const r = await sendEvent(url, { type: 'binary.test', subject: 'sub-1', myext: 'v' }, { hello: 'world' });
    expect(r.status).toBe(202);
    expect(r.text).toBe('');
    const got = await deliveredWithId(r.id);
    expect(got.headers['ce-type']).toBe('binary.test');
    expect(got.headers['ce-subject']).toBe('sub-1');
    expect(got.headers['ce-myext']).toBe('v');
    expect(got.headers['content-type']).toBe('application/json');
    expect(JSON.parse(got.body.toString())).toEqual({ hello: 'world' });
  });

  it('accepts a structured event and forwards its JSON data byte for byte', async () => {
    // Whitespace and an integer beyond 2^53 survive: JSON.parse/stringify would change both.
    const raw = '{ "big": 12345678901234567890,  "s": "x" }';
    const body = `{"specversion":"1.0","id":"structured-1","type":"structured.test","source":"/s","myint":42,"mybool":true,"data":${raw}}`;
    const r = await post(url, { 'content-type': 'application/cloudevents+json; charset=utf-8' }, body);
    expect(r.status).toBe(202);
    const got = await deliveredWithId('structured-1');
    expect(got.body.toString()).toBe(raw);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['ce-myint']).toBe('42');
    expect(got.headers['ce-mybool']).toBe('true');
  });

  it('decodes data_base64 in structured mode to the raw bytes', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const body = JSON.stringify({ specversion: '1.0', id: 'b64-1', type: 't', source: '/s', datacontenttype: 'application/octet-stream', data_base64: bytes.toString('base64') });
    expect((await post(url, { 'content-type': 'application/cloudevents+json' }, body)).status).toBe(202);
    const got = await deliveredWithId('b64-1');
    expect(Buffer.compare(got.body, bytes)).toBe(0);
    expect(got.headers['content-type']).toBe('application/octet-stream');
  });

  it('prefers structured mode over a ce-specversion header', async () => {
    const body = JSON.stringify({ specversion: '1.0', id: 'prefer-structured', type: 'from.body', source: '/s' });
    const r = await post(url, { 'content-type': 'application/cloudevents+json', 'ce-specversion': '1.0', 'ce-type': 'from.header' }, body);
    expect(r.status).toBe(202);
    expect((await deliveredWithId('prefer-structured')).headers['ce-type']).toBe('from.body');
  });

  it('keeps a 0.3 event at 0.3 (no upgrade)', async () => {
    const r = await post(url, { 'ce-specversion': '0.3', 'ce-id': 'v03', 'ce-type': 't', 'ce-source': '/s', 'ce-schemaurl': 'http://example.com/s' });
    expect(r.status).toBe(202);
    const got = await deliveredWithId('v03');
    expect(got.headers['ce-specversion']).toBe('0.3');
    expect(got.headers['ce-schemaurl']).toBe('http://example.com/s');
  });

  it('percent-decodes header values and re-encodes what HTTP cannot carry', async () => {
    const r = await post(url, binaryHeaders({ id: 'pct', type: 't', source: '/s', subject: 'caf%C3%A9 au lait' }));
    expect(r.status).toBe(202);
    expect((await deliveredWithId('pct')).headers['ce-subject']).toBe('caf%C3%A9 au lait');
    const triggers = await (await fetch(`${project.dev.url}/_/deliveries`)).json();
    expect(triggers.some((d: { eventId: string }) => d.eventId === 'pct')).toBe(true);
  });
});

describe('malformed events are 400 with a reason', () => {
  const cases: [string, Record<string, string>, string | undefined, RegExp][] = [
    ['no ce-specversion and not structured', { 'ce-id': '1', 'ce-type': 't', 'ce-source': '/s' }, undefined, /ce-specversion/],
    ['an unknown spec version', { 'ce-specversion': '2.0', 'ce-id': '1', 'ce-type': 't', 'ce-source': '/s' }, undefined, /specversion/],
    ['a missing id', { 'ce-specversion': '1.0', 'ce-type': 't', 'ce-source': '/s' }, undefined, /"id"/],
    ['a missing source', { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-type': 't' }, undefined, /"source"/],
    ['a missing type', { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s' }, undefined, /"type"/],
    ['a blank id', { 'ce-specversion': '1.0', 'ce-id': '  ', 'ce-type': 't', 'ce-source': '/s' }, undefined, /"id" is empty/],
    ['an empty subject', { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-type': 't', 'ce-source': '/s', 'ce-subject': '' }, undefined, /subject/],
    ['a bad time', { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-type': 't', 'ce-source': '/s', 'ce-time': 'yesterday' }, undefined, /time/],
    ['a relative dataschema', { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-type': 't', 'ce-source': '/s', 'ce-dataschema': 'schema.json' }, undefined, /dataschema/],
    ['an invalid extension name', { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-type': 't', 'ce-source': '/s', 'ce-my-ext': 'x' }, undefined, /my-ext/],
    ['a batch', { 'content-type': 'application/cloudevents-batch+json' }, '[]', /batch/],
    ['structured JSON that does not parse', { 'content-type': 'application/cloudevents+json' }, '{"specversion":', /JSON/],
    ['structured with an upper-case extension', { 'content-type': 'application/cloudevents+json' }, '{"specversion":"1.0","id":"1","type":"t","source":"/s","myExt":"x"}', /myExt/],
    ['structured with a bad datacontenttype', { 'content-type': 'application/cloudevents+json' }, '{"specversion":"1.0","id":"1","type":"t","source":"/s","datacontenttype":"not a type"}', /datacontenttype/],
    ['structured with an object extension', { 'content-type': 'application/cloudevents+json' }, '{"specversion":"1.0","id":"1","type":"t","source":"/s","ext":{"a":1}}', /ext/],
  ];
  it.each(cases)('%s', async (_name, headers, body, reason) => {
    const r = await post(url, headers, body);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(reason);
  });

  it('delivers none of them', async () => {
    await settle(100);
    expect(sub.on('/all').some((r) => r.headers['ce-id'] === '1')).toBe(false);
  });
});

describe('size limit', () => {
  it('accepts and delivers the 36,864-byte body of the Knative conformance test', async () => {
    const data = 'x'.repeat(36_864);
    const r = await post(url, binaryHeaders({ id: 'big-ok', type: 't', source: '/s' }, 'text/plain'), data);
    expect(r.status).toBe(202);
    expect((await deliveredWithId('big-ok')).body.length).toBe(36_864);
  });

  it('answers 413 with a reason above the configured limit, for known and chunked lengths', async () => {
    const big = Buffer.alloc(64 * 1024 + 1, 'y');
    const known = await post(url, binaryHeaders({ id: 'big-1', type: 't', source: '/s' }, 'text/plain'), big);
    expect(known.status).toBe(413);
    expect(known.text).toMatch(/larger than 65536 bytes/);
    const chunked = await fetch(url, {
      method: 'POST',
      headers: binaryHeaders({ id: 'big-2', type: 't', source: '/s' }, 'text/plain'),
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });
});

describe('extensions the ingress sets', () => {
  it('always overwrites knativearrivaltime with the receive time', async () => {
    const before = Date.now();
    const r = await sendEvent(url, { knativearrivaltime: '2001-01-01T00:00:00Z' });
    const arrival = (await deliveredWithId(r.id)).headers['ce-knativearrivaltime'] as string;
    expect(Date.parse(arrival)).toBeGreaterThanOrEqual(before - 1);
    expect(arrival).toMatch(/Z$/);
  });

  it('does not deliver knativebrokerttl to subscribers', async () => {
    const r = await sendEvent(url, { knativebrokerttl: '17' });
    expect((await deliveredWithId(r.id)).headers['ce-knativebrokerttl']).toBeUndefined();
  });

  it('refuses an event whose TTL runs out (loop guard): knativebrokerttl 1 → 400', async () => {
    const r = await sendEvent(url, { knativebrokerttl: '1' });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/knativebrokerttl/);
    expect((await sendEvent(url, { knativebrokerttl: '2' })).status).toBe(202);
    expect((await sendEvent(url, { knativebrokerttl: 'not-a-number' })).status).toBe(202);
  });

  it('forwards x-request-id, knative-* and x-b3-* headers, and no others', async () => {
    const headers = { ...binaryHeaders({ id: 'hdrs', type: 't', source: '/s' }), 'x-request-id': 'req-9', 'knative-foo': 'bar', 'x-b3-traceid': 'abc', 'x-secret': 'no' };
    expect((await post(url, headers)).status).toBe(202);
    const got = await deliveredWithId('hdrs');
    expect(got.headers['x-request-id']).toBe('req-9');
    expect(got.headers['knative-foo']).toBe('bar');
    expect(got.headers['x-b3-traceid']).toBe('abc');
    expect(got.headers['x-secret']).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { decodeStructured, encodeStructured } from './json-format.js';
import { rawMemberText } from './json-member.js';

describe('rawMemberText', () => {
  it('returns the exact source text of a member', () => {
    expect(rawMemberText('{"a":1,"data": { "x" : [1, "]}" ] } ,"b":2}', 'data')).toBe('{ "x" : [1, "]}" ] }');
    expect(rawMemberText('{"data":"q\\"uote","z":0}', 'data')).toBe('"q\\"uote"');
    expect(rawMemberText('{"data":12345678901234567890}', 'data')).toBe('12345678901234567890');
    expect(rawMemberText('{"a":{"data":1}}', 'data')).toBeUndefined();
  });

  it('keeps the last of duplicate keys, as JSON.parse does', () => {
    expect(rawMemberText('{"data":1,"data":[2]}', 'data')).toBe('[2]');
  });
});

describe('structured mode', () => {
  const decode = (o: unknown) => decodeStructured(Buffer.from(JSON.stringify(o)));

  it('implies application/json for JSON data without a content type', () => {
    const e = decode({ specversion: '1.0', id: '1', type: 't', source: '/s', data: { a: 1 } });
    expect(e.attributes.datacontenttype).toBe('application/json');
    expect(e.data!.toString()).toBe('{"a":1}');
  });

  it('takes string data as text for non-JSON types', () => {
    const e = decode({ specversion: '1.0', id: '1', type: 't', source: '/s', datacontenttype: 'text/plain', data: 'héllo' });
    expect(e.data!.toString()).toBe('héllo');
  });

  it('decodes 0.3 base64 data', () => {
    const e = decode({ specversion: '0.3', id: '1', type: 't', source: '/s', datacontentencoding: 'base64', data: Buffer.from([1, 2]).toString('base64') });
    expect([...e.data!]).toEqual([1, 2]);
    expect(e.attributes.datacontentencoding).toBeUndefined();
  });

  it('round-trips JSON, text and binary data', () => {
    for (const [type, data] of [
      ['application/json', '{"a": [1, 2]}'],
      ['text/plain', 'line\nnext'],
      ['image/png', Buffer.from([0x89, 0x50, 0, 255])],
    ] as const) {
      const event = decode({ specversion: '1.0', id: '1', type: 't', source: '/s', datacontenttype: type, data_base64: Buffer.from(data).toString('base64') });
      const again = decodeStructured(encodeStructured(event));
      expect(Buffer.compare(again.data!, Buffer.from(data))).toBe(0);
      expect(again.attributes).toEqual(event.attributes);
    }
  });
});

describe('hostile structured events', () => {
  it('refuses data nested too deeply to re-encode with a reason, instead of overflowing the stack', () => {
    const body = `{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"text/plain","data":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expect(() => decodeStructured(Buffer.from(body))).toThrow(/nested too deeply to re-encode/);
  });
});

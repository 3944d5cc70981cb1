import { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { HISTORY_LIMITS, History } from './history.js';
import { PREVIEW_LIMITS, previewData } from './preview.js';
import { imageSrc, viewOf } from './views.js';

const event = (type: string, data: unknown, extra: Record<string, unknown> = {}) =>
  new CloudEvent({ type, source: '/t', data, ...extra }) as unknown as Readonly<Record<string, unknown>>;

describe('display history', () => {
  it('keeps a bounded number of events but counts every one', () => {
    const h = new History();
    for (let i = 0; i < HISTORY_LIMITS.records + 250; i++) h.add(event('dev.eventyard.x', { i }));
    const s = h.snapshot();
    expect(s.total).toBe(HISTORY_LIMITS.records + 250);
    expect(s.records).toHaveLength(HISTORY_LIMITS.records);
    expect(s.records.at(-1)!.seq).toBe(HISTORY_LIMITS.records + 250);
    expect(s.byType['dev.eventyard.x']).toBe(HISTORY_LIMITS.records + 250);
  });

  it('keeps the last render orders with their tiles merged, a late status never hiding a rendered tile', () => {
    const h = new History();
    for (let r = 0; r < HISTORY_LIMITS.renders + 3; r++) h.add(event('dev.eventyard.render.tile.status', { renderingId: `r${r}`, tileX: 0, tileY: 0, status: 'rendering' }));
    h.add(event('dev.eventyard.render.tile.rendered', { renderingId: 'r20', tileX: 1, tileY: 0, x: 10, y: 0, w: 10, h: 10, image: 'blob:renders/r20/tiles/1-0.png', renderMs: 5 }, { renderingid: 'r20' }));
    h.add(event('dev.eventyard.render.tile.status', { renderingId: 'r20', tileX: 1, tileY: 0, status: 'rendering' }));
    const views = h.snapshot().views.filter((v) => v.kind === 'render');
    const ids = new Set(views.map((v) => (v as { id: string }).id));
    expect(ids.size).toBe(HISTORY_LIMITS.renders);
    expect(ids.has('r0')).toBe(false);
    const tile = views.find((v) => v.kind === 'render' && v.id === 'r20' && v.tile?.tileX === 1);
    expect(tile).toMatchObject({ tile: { status: 'rendered', rect: [10, 0, 10, 10], src: 'blobs/renders/r20/tiles/1-0.png', renderMs: 5 } });
  });

  it('reads the catalog shapes leniently: wrong fields are dropped, never an error', () => {
    expect(viewOf({ type: 'dev.eventyard.frame.classified', extensions: {}, at: 1, data: { trainId: 't', seq: 3, predictions: [{ label: 'stop', score: 0.9, box: { x: 1, y: 2, w: 3, h: 4 } }, { label: 'go', box: [1, 2, 3, 4] }, { score: 1 }, 'junk'] } }))
      .toMatchObject({ kind: 'classified', predictions: [{ label: 'stop', score: 0.9, box: [1, 2, 3, 4] }, { label: 'go', box: [1, 2, 3, 4] }] });
    expect(viewOf({ type: 'dev.eventyard.train.command', extensions: {}, at: 1, data: 'not json' })).toMatchObject({ kind: 'command', trainId: 'train', action: 'unknown' });
    expect(viewOf({ type: 'dev.eventyard.render.tile.status', extensions: {}, at: 1, data: { renderingId: 'r', tileX: -1, tileY: 'a' } })).toBeUndefined();
    expect(viewOf({ type: 'dev.eventyard.chat.scored', extensions: {}, at: 1, data: { text: 'hi', sentiment: 'positive', moderation: false } }))
      .toMatchObject({ kind: 'chat', text: 'hi', sentiment: { label: 'positive' }, moderation: { flagged: false } });
    expect(viewOf({ type: 'dev.eventyard.chat.scored', extensions: {}, at: 1, data: { text: 'x', moderation: { flagged: true, categories: ['insult'], terms: ['idiot'] } } }))
      .toMatchObject({ moderation: { flagged: true, label: 'insult' } });
    expect(viewOf({ type: 'dev.eventyard.render.failed', extensions: { renderingid: 'r' }, at: 1, data: { tileX: 1, tileY: 2, reason: 'tile 1-2 failed after retries' } }))
      .toMatchObject({ id: 'r', failed: { reason: 'tile 1-2 failed after retries' }, tile: { tileX: 1, tileY: 2, status: 'failed' } });
    expect(viewOf({ type: 'com.example.other', extensions: {}, at: 1, data: {} })).toBeUndefined();
  });

  it('gives image URLs only for blob keys and inline images, never a script or a remote URL', () => {
    expect(imageSrc('blob:renders/a/tiles/0-0.png', 'image/png')).toBe('blobs/renders/a/tiles/0-0.png');
    expect(imageSrc('blob:../secret', 'image/png')).toBeUndefined();
    expect(imageSrc('iVBORw0KGgoAAAANSUhEUg==', 'image/png')).toBe('data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==');
    expect(imageSrc('javascript:alert(1)', 'image/png')).toBeUndefined();
    expect(imageSrc('https://evil.example/x.png', 'image/png')).toBeUndefined();
    expect(imageSrc('data:image/svg+xml;base64,PHN2Zz4=', 'image/png')).toBeUndefined();
  });

  it('previews JSON, text and binary data within bounds', () => {
    const json = previewData({ image: 'x'.repeat(10_000), list: Array.from({ length: 1000 }, (_, i) => i) });
    expect(json.kind).toBe('json');
    if (json.kind !== 'json') return;
    expect(json.truncated).toBe(true);
    expect(json.text.length).toBeLessThanOrEqual(PREVIEW_LIMITS.chars);
    expect(json.text).toContain('(10000 chars)');
    expect(previewData('é'.repeat(5000))).toMatchObject({ kind: 'text', bytes: 10_000, truncated: true });
    expect(previewData(new Uint8Array(1000))).toMatchObject({ kind: 'binary', bytes: 1000, truncated: true });
    expect(previewData(undefined)).toEqual({ kind: 'none' });
  });
});

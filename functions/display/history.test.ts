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

  it('keeps at most 32 MB of inline images across renders, the oldest tiles losing their pixels but not their metadata', () => {
    // 600 tiles with 1 MB inline images each: unbounded, they kept 602 MB and the snapshot could not be serialised.
    const h = new History();
    const image = 'A'.repeat(1_000_000);
    const tile = (id: string, i: number) => ({
      specversion: '1.0', id: `${id}-${i}`, type: 'dev.eventyard.render.tile.rendered', source: '/t', renderingid: id,
      data: { renderingId: id, tileX: i % 16, tileY: Math.floor(i / 16) % 16, x: (i % 16) * 10, y: Math.floor(i / 16) * 10, w: 10, h: 10, image, renderMs: 7 },
    });
    for (let i = 0; i < 600; i++) h.add(tile(`r${Math.floor(i / 200)}`, i % 200));
    expect(h.inlineImageChars).toBeLessThanOrEqual(HISTORY_LIMITS.inlineImageChars);
    const s = h.snapshot();
    const tiles = s.views.flatMap((v) => (v.kind === 'render' && v.tile ? [{ id: v.id, ...v.tile }] : []));
    expect(tiles).toHaveLength(600);
    const withPixels = tiles.filter((t) => t.src !== undefined);
    expect(withPixels.length).toBe(Math.floor(HISTORY_LIMITS.inlineImageChars / (image.length + 'data:image/png;base64,'.length)));
    // The newest keep their pixels; the others still show as rendered, where they sit, without them.
    expect(withPixels.every((t) => t.id === 'r2' && t.tileY * 16 + t.tileX >= 200 - withPixels.length)).toBe(true);
    expect(tiles.find((t) => t.id === 'r0' && t.tileX === 0 && t.tileY === 0)).toEqual({ id: 'r0', tileX: 0, tileY: 0, status: 'rendered', rect: [0, 0, 10, 10], renderMs: 7, imageDropped: true });
    const json = JSON.stringify(s);
    expect(json.length).toBeLessThan(HISTORY_LIMITS.inlineImageChars + 1_000_000);
    // A new image for a dropped tile shows again; a blob ref costs nothing.
    h.add({ ...tile('r0', 0), id: 'again', data: { ...tile('r0', 0).data, image: 'iVBORw0KGgoAAAANSUhEUg==' } });
    expect(h.snapshot().views.find((v) => v.kind === 'render' && v.id === 'r0' && v.tile?.tileX === 0 && v.tile.tileY === 0)).toMatchObject({ tile: { src: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==' } });
    expect(h.snapshot().views.find((v) => v.kind === 'render' && v.id === 'r0' && v.tile?.tileX === 0 && v.tile.tileY === 0)).not.toHaveProperty('tile.imageDropped');
  });

  it('keeps at most 256 tiles per render, and forgets the inline images of what it drops', () => {
    const h = new History();
    const image = 'B'.repeat(100_000);
    for (let i = 0; i < 300; i++) h.add({ specversion: '1.0', id: `t${i}`, type: 'dev.eventyard.render.tile.rendered', source: '/t', data: { renderingId: 'big', tileX: i % 64, tileY: Math.floor(i / 64), image } });
    const tiles = h.snapshot().views.filter((v) => v.kind === 'render' && v.tile);
    expect(tiles).toHaveLength(HISTORY_LIMITS.tiles);
    expect(h.inlineImageChars).toBe(HISTORY_LIMITS.tiles * (image.length + 'data:image/png;base64,'.length));
    // Renders pushed out of the history take their images' budget with them, as do replaced camera frames.
    for (let r = 0; r < HISTORY_LIMITS.renders; r++) h.add({ specversion: '1.0', id: `o${r}`, type: 'dev.eventyard.render.requested', source: '/t', data: { renderingId: `other-${r}`, width: 10, height: 10 } });
    expect(h.inlineImageChars).toBe(0);
    for (let i = 0; i < 50; i++) h.add({ specversion: '1.0', id: `f${i}`, type: 'dev.eventyard.frame.captured', source: '/t', data: { trainId: 'a', seq: i, image } });
    expect(h.inlineImageChars).toBe(image.length + 'data:image/jpeg;base64,'.length);
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

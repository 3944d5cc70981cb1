import type { AddressInfo } from 'node:net';
import type { Response } from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { History } from './history.js';
import { FLUSH_MS, LiveHub, MAX_BATCH_IMAGE_CHARS } from './live.js';
import { createDisplay, type Display } from './server.js';
import type { View } from './views.js';

describe('display server', () => {
  let display: Display;
  let server: ReturnType<Display['app']['listen']>;
  let base: string;

  beforeAll(async () => {
    display = createDisplay(async () => undefined);
    server = display.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    display.hub.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers /live and /api/state with a clear error when its state cannot be serialised, not a broken stream', async () => {
    const real = display.history.snapshot();
    const spy = vi.spyOn(display.history, 'snapshot').mockReturnValue({ ...real, records: [{ unserialisable: 1n }] } as unknown as typeof real);
    const stderr = vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    try {
      const live = await fetch(`${base}/live`);
      expect(live.status).toBe(500);
      expect(live.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await live.text()).toMatch(/^display: could not serialise its state \(TypeError: .*BigInt.*\); try again\n$/);
      const state = await fetch(`${base}/api/state`);
      expect(state.status).toBe(500);
      expect(await state.json()).toEqual({ error: expect.stringMatching(/^display: could not serialise its state \(TypeError: .*BigInt.*\)$/) });
      expect(display.hub.watching).toBe(0);
    } finally {
      spy.mockRestore();
      stderr.mockRestore();
    }
    const state = await fetch(`${base}/api/state`);
    expect(state.status).toBe(200);
    expect(await state.json()).toMatchObject({ total: 0, watching: 0 });
  });
});

describe('display live stream', () => {
  it('sends a burst of large inline tiles in bounded batches, every tile in one of them', async () => {
    const history = new History();
    const hub = new LiveHub(history);
    const writes: string[] = [];
    const page = {
      writeHead: () => page,
      write: (s: string) => writes.push(s) > 0,
      once: () => page,
      writableLength: 0,
      end: () => undefined,
      destroy: () => undefined,
    };
    hub.watch(page as unknown as Response);
    const image = 'A'.repeat(1_000_000);
    for (let i = 0; i < 64; i++) {
      const { record, view } = history.add({ specversion: '1.0', id: `t${i}`, type: 'dev.eventyard.render.tile.rendered', source: '/t', data: { renderingId: 'burst', tileX: i % 8, tileY: Math.floor(i / 8), image } });
      hub.publish(record, view);
    }
    await new Promise((resolve) => setTimeout(resolve, FLUSH_MS + 50));
    hub.close();
    const batches = writes.filter((w) => w.startsWith('event: batch\n'));
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) expect(b.length).toBeLessThan(MAX_BATCH_IMAGE_CHARS + 2_100_000);
    const views = batches.flatMap((b) => (JSON.parse(b.slice(b.indexOf('data: ') + 6)) as { views: View[] }).views);
    expect(views.filter((v) => v.kind === 'render' && v.tile?.src)).toHaveLength(64);
  });
});

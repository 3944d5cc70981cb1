// The whole repo as `npm start` runs it, watched in Chromium: a render order, camera frames and a
// chat message go through the real functions (render-order/tile/assemble, frame-infer,
// train-control, chat-infer) and the dashboard shows what they produced. Nothing is posted to the
// display but what the broker routes there.
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { frameEvent } from '../src/camera/camera.js';
import { startDev, type DevServer } from '../src/runtime/dev-server.js';
import { encodeJpeg } from '../src/vision/jpeg.js';
import { TrackRun } from '../src/vision/track-run.js';
import { binaryHeaders, post } from './helpers/events.js';
import { describeWithChromium, screenshot, watchDashboard } from './helpers/browser.js';

const REPO = path.resolve(import.meta.dirname, '..');
const WAIT = { timeout: 60_000 };

/** A copy of the repo's manifests (no sources: they need a Kafka and a RocketMQ) running its functions. */
async function startRepo(): Promise<{ dev: DevServer; dir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'eventyard-repo-'));
  await writeFile(path.join(dir, 'package.json'), '{"type": "module"}\n');
  for (const folder of ['eventing', 'triggers']) await cp(path.join(REPO, folder), path.join(dir, folder), { recursive: true });
  // Functions, models and page assets are read from the repo: the bundles and the blob store stay in the copy.
  for (const folder of ['functions', 'models', 'src']) await symlink(path.join(REPO, folder), path.join(dir, folder));
  const dev = await startDev({ dir, port: 0, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
  return { dev, dir };
}

describeWithChromium('the repo end to end, watched on the dashboard', () => {
  let repo: { dev: DevServer; dir: string };
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const broker = () => `${repo.dev.url}/default/default`;

  beforeAll(async () => {
    repo = await startRepo();
    ({ browser, page, errors } = await watchDashboard(`${repo.dev.url}/`));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await repo?.dev.close(1000);
    if (repo) await rm(repo.dir, { recursive: true, force: true });
  });

  it('shows a render order rendered by the farm, tile by tile, to the finished frame', async () => {
    await page.locator('#tab-render').click();
    const order = { renderingId: 'e2e-order', scene: 'spheres', width: 160, height: 90, divisions: 2, samples: 4 };
    const sent = await post(broker(), binaryHeaders({ id: 'e2e-order-1', type: 'dev.eventyard.render.requested', source: '/tests/e2e' }, 'application/json'), JSON.stringify(order));
    expect(sent.status).toBe(202);
    await page.locator('#render-orders .order[data-id="e2e-order"]').waitFor(WAIT);
    await page.locator('#render-head[data-state="completed"]').waitFor(WAIT);
    expect(await page.locator('#render-head').getAttribute('data-rendered')).toBe('4');
    expect(await page.locator('#render-grid .cell[data-status="rendered"]').count()).toBe(4);
    // The canvas holds the rendered frame: not one flat colour.
    const distinct = await page.evaluate(() => {
      const c = document.getElementById('render-canvas') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4 * 97) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
      return seen.size;
    });
    expect(distinct).toBeGreaterThan(20);
    await screenshot(page, 'e2e-render');
    expect(errors).toEqual([]);
  });

  it('shows a camera frame classified by frame-infer, its box, and the command of train-control', async () => {
    await page.locator('#tab-train').click();
    // The first frame of the track run where a stop sign is near enough to read.
    const track = new TrackRun(10);
    let seq = 0;
    for (;; seq++) {
      const placement = track.placement(seq);
      if (placement?.design === 'stop' && placement.size >= 80) break;
      if (seq > 500) throw new Error('no near stop sign in the first 500 frames of seed 10');
    }
    const frame = await track.frame(seq);
    const event = frameEvent('e2e-train', seq, await encodeJpeg(frame.raster, 80));
    expect((await post(broker(), event.headers, event.body)).status).toBe(202);
    await page.locator(`#train-canvas[data-frame="${seq}"]`).waitFor(WAIT);
    await page.locator('#train-command[data-action="stop"]').waitFor(WAIT);
    expect(Number(await page.locator('#train-canvas').getAttribute('data-boxes'))).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#train-predictions .prediction').first().getAttribute('data-label')).toBe('stop');
    await screenshot(page, 'e2e-train');
    expect(errors).toEqual([]);
  });

  it('shows a chat message scored by chat-infer', async () => {
    await page.locator('#tab-chat').click();
    const message = { room: 'e2e', user: 'ana', text: 'What a wonderful train, I love it!', at: new Date().toISOString() };
    expect((await post(broker(), binaryHeaders({ id: 'e2e-chat-1', type: 'dev.eventyard.chat.message', source: '/tests/e2e' }, 'application/json'), JSON.stringify(message))).status).toBe(202);
    const shown = page.locator('#chat-list .message', { hasText: 'wonderful train' });
    await shown.waitFor(WAIT);
    expect(await shown.textContent()).toMatch(/positive/i);
    await screenshot(page, 'e2e-chat');
    expect(errors).toEqual([]);
  });
});

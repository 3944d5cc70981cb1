// The dashboard in a real browser: the real `eventyard dev` serving the display function, events
// POSTed to its broker, headless Chromium (Debian's) driven by playwright-core. Screenshots of
// each view land in .eventyard/test-artifacts/display/.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FileBlobStore } from '../src/function-kit/blob-store.js';
import { binaryHeaders, post } from './helpers/events.js';
import { ARTIFACTS, describeWithChromium, openPage, screenshot, startDashboard, watchDashboard } from './helpers/browser.js';
import { freePort } from './helpers/ports.js';
import type { RunningProject } from './helpers/project.js';

const WAIT = { timeout: 20_000 };
let n = 0;

/** POSTs one binary-mode CloudEvent to the broker. */
async function send(project: RunningProject, type: string, data: unknown, attributes: Record<string, string> = {}, contentType = 'application/json'): Promise<string> {
  const id = attributes.id ?? `display-test-${++n}`;
  const body = typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data);
  const result = await post(project.brokerUrl(), binaryHeaders({ id, type, source: '/tests/display', ...attributes }, contentType), body);
  expect(result.status).toBe(202);
  return id;
}

/** The colour of one pixel of a canvas, as [r, g, b]. */
async function pixel(page: Page, canvas: string, x: number, y: number): Promise<number[]> {
  return page.evaluate(
    ([id, px, py]) => [...(document.getElementById(id as string) as HTMLCanvasElement).getContext('2d')!.getImageData(px as number, py as number, 1, 1).data.slice(0, 3)],
    [canvas, x, y] as const,
  );
}

async function waitForPixel(page: Page, canvas: string, x: number, y: number, rgb: readonly number[], tolerance = 12): Promise<void> {
  await page.waitForFunction(
    ([id, px, py, want, tol]) => {
      const c = document.getElementById(id as string) as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(px as number, py as number, 1, 1).data;
      return (want as number[]).every((v, i) => Math.abs(v - d[i]!) <= (tol as number));
    },
    [canvas, x, y, rgb, tolerance] as const,
    WAIT,
  );
}

interface DisplayState {
  total: number;
  byType: Record<string, number>;
  views: { kind: string; id?: string; tile?: unknown }[];
}

/** What the display function holds now (GET api/state). */
async function displayState(project: RunningProject): Promise<DisplayState> {
  return (await (await fetch(`${project.dev.url}/_/services/default/display/api/state`)).json()) as DisplayState;
}

const png = (width: number, height: number, rgb: readonly [number, number, number]) =>
  sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();

describeWithChromium('display dashboard in Chromium', () => {
  let project: RunningProject;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    project = await startDashboard();
    // `GET /` of eventyard dev opens the dashboard.
    ({ browser, page, errors } = await watchDashboard(`${project.dev.url}/`));
    process.stderr.write(`display screenshots: ${ARTIFACTS}\n`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await project?.close();
  });

  it('opens from GET / of eventyard dev, goes live, and logs no error', async () => {
    expect(new URL(page.url()).pathname).toBe('/_/services/default/display/');
    expect(await page.title()).toBe('eventyard · live');
    await page.locator('#conn[data-state="live"]').waitFor(WAIT);
    // Under dev the runtime view is offered.
    expect(await page.locator('#tab-runtime').isVisible()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('shows an event sent to the broker within a second', async () => {
    const subject = `appears-${Date.now()}`;
    const started = Date.now();
    await send(project, 'dev.eventyard.render.requested', { scene: 'spheres', width: 320, height: 180, divisions: 4, samples: 16 }, { subject });
    await page.locator('#stream-list .row', { hasText: subject }).waitFor({ timeout: Math.max(1, 1000 - (Date.now() - started)) });
    expect(Date.now() - started).toBeLessThanOrEqual(1000);
  });

  it('shows event data as text, never as markup: an <img onerror> payload runs nothing', async () => {
    const payload = '<img src=x onerror="window.__pwned=true;document.title=\'pwned\'">';
    // Attributes travel in HTTP headers, where a quote would be percent-encoded: a payload without.
    const header = '<img src=x onerror=window.__pwned=true>';
    await send(project, 'dev.eventyard.probe', payload, { subject: header, xssext: header }, 'text/plain');
    await send(project, 'dev.eventyard.chat.scored', { room: '<b>room</b>', user: payload, text: payload, sentiment: { label: 'negative', score: -0.6 }, moderation: { flagged: true, label: 'toxic' } });
    const row = page.locator('#stream-list .row', { hasText: 'dev.eventyard.probe' });
    await row.waitFor(WAIT);
    await row.click();
    await expect.poll(() => page.locator('#stream-detail pre.data').textContent(), WAIT).toBe(payload);
    expect(await page.locator('#stream-detail table.kv').first().textContent()).toContain(header);
    expect(await page.locator('#stream-detail table.kv').nth(1).textContent()).toContain(header);
    await page.locator('#tab-chat').click();
    await page.locator('#chat-list .message', { hasText: 'onerror' }).first().waitFor(WAIT);
    expect(await page.locator('#chat-list .message .text').first().textContent()).toBe(payload);
    // Nothing became an element, nothing ran.
    expect(await page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
    expect(await page.evaluate(() => [...document.querySelectorAll('b')].filter((b) => b.textContent === 'room').length)).toBe(0);
    expect(await page.locator('#chat-list .message', { hasText: '<b>room</b>' }).count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    expect(await page.title()).toBe('eventyard · live');
    await page.locator('#tab-stream').click();
    await row.click();
    await screenshot(page, 'stream');
    expect(errors).toEqual([]);
  });

  it('assembles a render order tile by tile, shows a failed tile, then the finished frame and its wall time', async () => {
    const blobs = new FileBlobStore(path.join(project.dir, '.eventyard', 'blobs'));
    const id = 'r-demo-0001';
    const [width, height, d] = [300, 180, 3];
    const [tw, th] = [width / d, height / d];
    const ext = { renderingid: id, subject: id };
    await page.locator('#tab-render').click();
    const colors: [number, number, number][] = [];
    for (let i = 0; i < d * d; i++) colors.push([40 + ((i * 53) % 200), 60 + ((i * 97) % 180), 90 + ((i * 31) % 160)]);
    for (let y = 0; y < d; y++) for (let x = 0; x < d; x++) {
      await send(project, 'dev.eventyard.render.tile.requested', { renderingId: id, tileX: x, tileY: y, divisions: d, width, height, samples: 16, scene: 'spheres' }, ext);
    }
    await page.locator('#render-head[data-state="waiting"], #render-head[data-state="rendering"]').waitFor(WAIT);
    let rendered = 0;
    for (let i = 0; i < d * d; i++) {
      const [x, y] = [i % d, Math.floor(i / d)];
      if (i === d * d - 1) {
        // The last tile fails first: the order shows it.
        await send(project, 'dev.eventyard.render.tile.status', { renderingId: id, tileX: x, tileY: y, status: 'failed', reason: 'renderer crashed' }, ext);
        await page.locator('#render-head[data-failed="1"]').waitFor(WAIT);
        await page.locator('#render-failed li', { hasText: 'tile 2,2' }).waitFor(WAIT);
        await page.locator('#render-grid .cell[data-status="failed"]').waitFor(WAIT);
        await screenshot(page, 'render-progress');
      }
      await send(project, 'dev.eventyard.render.tile.status', { renderingId: id, tileX: x, tileY: y, status: 'rendering' }, ext);
      const ref = await blobs.put(`renders/${id}/tiles/${x}-${y}.png`, await png(tw, th, colors[i]!), 'image/png');
      await send(project, 'dev.eventyard.render.tile.rendered', { renderingId: id, tileX: x, tileY: y, x: x * tw, y: y * th, w: tw, h: th, image: ref, renderMs: 200 + i * 10 }, ext);
      rendered++;
      await page.locator(`#render-head[data-rendered="${rendered}"]`).waitFor(WAIT);
      // The tile's own pixels are on the canvas where it belongs.
      await waitForPixel(page, 'render-canvas', x * tw + tw / 2, y * th + th / 2, colors[i]!);
    }
    expect(await page.locator('#render-grid .cell[data-status="rendered"]').count()).toBe(d * d);
    // The assembled frame: the tiles stitched, with a white frame line so that it differs from them.
    const tiles = await Promise.all(colors.map(async (c, i) => ({ input: await png(tw - 4, th - 4, c), left: (i % d) * tw + 2, top: Math.floor(i / d) * th + 2 })));
    const stitched = await sharp({ create: { width, height, channels: 3, background: '#fafafa' } }).composite(tiles).png().toBuffer();
    const final = await blobs.put(`renders/${id}/image.png`, stitched, 'image/png');
    await send(project, 'dev.eventyard.render.completed', { renderingId: id, image: final, width, height, tiles: d * d, wallMs: 4321 }, ext);
    await page.locator('#render-head[data-state="completed"]').waitFor(WAIT);
    expect(await page.locator('#render-head').textContent()).toContain('completed in 4.32 s');
    await waitForPixel(page, 'render-canvas', tw + 1, th + 1, [250, 250, 250]);
    await screenshot(page, 'render');
    // A second order shows next to the first, with its own progress.
    await send(project, 'dev.eventyard.render.tile.status', { renderingId: 'r-demo-0002', tileX: 0, tileY: 0, status: 'rendering' }, { renderingid: 'r-demo-0002' });
    await page.locator('#render-orders .order[data-id="r-demo-0002"]').waitFor(WAIT);
    expect(await page.locator('#render-orders .order[data-id="r-demo-0001"]').getAttribute('data-state')).toBe('completed');
    expect(errors).toEqual([]);
  });

  it('shows a frame with a stop sign: its box and label, and the stop command', async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400">
      <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#8fb3d9"/><stop offset="1" stop-color="#c9d6e3"/></linearGradient></defs>
      <rect width="600" height="260" fill="url(#sky)"/><rect y="260" width="600" height="140" fill="#5b6b4a"/>
      <polygon points="120,400 250,260 350,260 480,400" fill="#7a746b"/><rect x="448" y="225" width="6" height="120" fill="#444"/>
      <polygon points="427,115 473,115 505,147 505,193 473,225 427,225 395,193 395,147" fill="#d0202a" stroke="white" stroke-width="4"/>
      <text x="450" y="179" font-size="26" font-family="DejaVu Sans" font-weight="bold" fill="white" text-anchor="middle">STOP</text></svg>`;
    const jpeg = await sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
    await page.locator('#tab-train').click();
    await send(project, 'dev.eventyard.frame.captured', { trainId: 'lego-1', seq: 7, width: 600, height: 400, image: jpeg.toString('base64') }, { subject: 'lego-1' });
    await send(project, 'dev.eventyard.frame.classified', { trainId: 'lego-1', seq: 7, predictions: [{ label: 'stop', score: 0.97, box: { x: 380, y: 100, w: 140, h: 140 } }, { label: 'go', score: 0.04 }], inferMs: 23, model: 'signs-v1' }, { subject: 'lego-1' });
    await send(project, 'dev.eventyard.train.command', { trainId: 'lego-1', seq: 7, action: 'stop', reason: 'stop sign seen (score 0.97)' }, { subject: 'lego-1' });
    await page.locator('#train-canvas[data-frame="7"][data-boxes="1"]').waitFor(WAIT);
    await page.locator('#train-command[data-action="stop"]').waitFor(WAIT);
    expect(await page.locator('#train-command .action').textContent()).toBe('STOP');
    expect(await page.locator('#train-command .reason').textContent()).toContain('stop sign seen');
    expect(await page.locator('#train-predictions .prediction').first().getAttribute('data-label')).toBe('stop');
    // The box is drawn in the stop colour on the grey-blue sky left of the sign.
    const edge = await pixel(page, 'train-canvas', 380, 170);
    expect(edge[0]).toBeGreaterThan(220);
    expect(edge[1]).toBeLessThan(130);
    await screenshot(page, 'train');
    expect(errors).toEqual([]);
  });

  it('shows scored chat messages with a rate sparkline', async () => {
    const lines: [string, string, number, boolean][] = [
      ['ana', 'this stream is great, love the render farm!', 0.84, false],
      ['bo', 'can you show the train again?', 0.1, false],
      ['cy', 'meh, the tiles take forever', -0.42, false],
      ['dee', 'you are all idiots', -0.81, true],
      ['eli', 'the stop sign detection is so fast 🚆', 0.66, false],
    ];
    for (const [user, text, score, flagged] of lines) {
      await send(project, 'dev.eventyard.chat.scored', { room: 'live-demo', user, text, language: 'en', sentiment: { label: score > 0.05 ? 'positive' : score < -0.05 ? 'negative' : 'neutral', score }, moderation: { flagged, label: flagged ? 'toxic' : 'ok', score: flagged ? 0.93 : 0.02 }, inferMs: 3 + user.length });
    }
    await page.locator('#tab-chat').click();
    await page.locator('#chat-list .message', { hasText: 'stop sign detection' }).waitFor(WAIT);
    expect(await page.locator('#chat-list .message.flagged', { hasText: 'idiots' }).count()).toBe(1);
    expect(Number(await page.locator('#chat-spark').getAttribute('data-last'))).toBeGreaterThan(0);
    await screenshot(page, 'chat');
    expect(errors).toEqual([]);
  });

  it('shows the runtime: Services scaled from zero, Trigger counts, and why an event matched', async () => {
    await page.locator('#tab-runtime').click();
    await page.locator('#runtime-services .service[data-name="display"]:not([data-instances="0"])').waitFor(WAIT);
    const row = page.locator('#runtime-triggers tr[data-trigger="default/display"]');
    await row.waitFor(WAIT);
    await expect.poll(async () => Number((await row.locator('td.num').first().textContent())?.replace(/,/g, '')), WAIT).toBeGreaterThan(20);
    await page.locator('#runtime-events .row', { hasText: 'dev.eventyard.chat.scored' }).first().click();
    await page.locator('#runtime-explain .explain-trigger.pass', { hasText: 'default/display' }).waitFor(WAIT);
    expect(await page.locator('#runtime-explain').textContent()).toContain('dev.eventyard.');
    await screenshot(page, 'runtime');
    expect(errors).toEqual([]);
  });

  it('works on its own as on a cluster (served at /, no runtime API): the runtime view stays hidden', async () => {
    // The bundle dev built, run the way the image runs it: K_SERVICE set, from the project folder.
    const port = await freePort();
    const child = spawn(process.execPath, [path.resolve('src/serving/load-bundle.cjs'), path.join(project.dir, '.eventyard', 'functions', 'display.cjs')], {
      cwd: project.dir,
      env: { ...process.env, K_SERVICE: 'display', PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', (b: Buffer) => b.toString().includes('serving function display') && resolve());
        child.once('exit', (code) => reject(new Error(`display exited with ${code}`)));
      });
      const alone = await openPage(browser, `http://127.0.0.1:${port}/`);
      await alone.page.locator('#conn[data-state="live"]').waitFor(WAIT);
      const res = await post(`http://127.0.0.1:${port}/`, binaryHeaders({ id: 'alone-1', type: 'dev.eventyard.train.command', source: '/tests/display', subject: 'alone' }, 'application/json'), JSON.stringify({ trainId: 'alone', seq: 1, action: 'go', reason: 'no sign in view' }));
      expect(res.status).toBe(204);
      await alone.page.locator('#stream-list .row', { hasText: 'alone' }).waitFor(WAIT);
      expect(await alone.page.locator('#tab-runtime').isVisible()).toBe(false);
      expect(alone.errors).toEqual([]);
      await alone.page.close();
    } finally {
      child.kill();
    }
  });

  it('draws a render wider than the 4096 canvas scaled down, each tile where it belongs', async () => {
    const id = 'r-wide-0001';
    const [width, height] = [8192, 4096];
    const ext = { renderingid: id, subject: id };
    const colors: [number, number, number][] = [[230, 60, 60], [60, 200, 90], [70, 110, 240], [240, 200, 40]];
    await page.locator('#tab-render').click();
    await send(project, 'dev.eventyard.render.tile.requested', { renderingId: id, tileX: 0, tileY: 0, divisions: 2, width, height, samples: 1, scene: 'wide' }, ext);
    for (let i = 0; i < 4; i++) {
      const [x, y] = [i % 2, Math.floor(i / 2)];
      const image = (await png(16, 8, colors[i]!)).toString('base64');
      await send(project, 'dev.eventyard.render.tile.rendered', { renderingId: id, tileX: x, tileY: y, x: x * 4096, y: y * 2048, w: 4096, h: 2048, image, renderMs: 10 }, ext);
    }
    await page.locator('#render-head[data-rendered="4"]').waitFor(WAIT);
    expect(await page.locator('#render-head').textContent()).toContain('8192×4096');
    // Each tile fills its quarter of the canvas, which keeps the frame's shape at half its size.
    for (let i = 0; i < 4; i++) await waitForPixel(page, 'render-canvas', (i % 2) * 2048 + 1024, Math.floor(i / 2) * 1024 + 512, colors[i]!);
    await waitForPixel(page, 'render-canvas', 4090, 2040, colors[3]!);
    expect(await page.evaluate(() => [(document.getElementById('render-canvas') as HTMLCanvasElement).width, (document.getElementById('render-canvas') as HTMLCanvasElement).height])).toEqual([4096, 2048]);
    expect(errors).toEqual([]);
  });

  it('keeps at most 256 tiles of a render on the page, as the server does', async () => {
    const id = 'r-many-0001';
    const ext = { renderingid: id, subject: id };
    await page.locator('#tab-render').click();
    const type = 'dev.eventyard.render.tile.status';
    const before = (await displayState(project)).byType[type] ?? 0;
    for (let i = 0; i < 300; i += 30) {
      await Promise.all(Array.from({ length: 30 }, (_, k) => send(project, type, { renderingId: id, tileX: (i + k) % 20, tileY: Math.floor((i + k) / 20), status: 'failed', reason: 'test' }, ext)));
    }
    // Delivery is asynchronous: wait until the display has all 300.
    await expect.poll(async () => (await displayState(project)).byType[type], WAIT).toBe(before + 300);
    const state = await displayState(project);
    expect(state.views.filter((v) => v.id === id && v.tile)).toHaveLength(256);
    // Once the page has every event, it holds the same 256 tiles.
    await page.waitForFunction((n) => Number(document.body.dataset.total) >= n, state.total, WAIT);
    await page.locator(`#render-orders .order[data-id="${id}"]`).click();
    await page.locator('#render-head[data-failed="256"]').waitFor(WAIT);
    expect(errors).toEqual([]);
  });

  it('folds types past 200 into "(other types)" as the server does, and rebuilds the type filter only when its types change', async () => {
    await page.locator('#tab-stream').click();
    const select = page.locator('#filter-type');
    for (let i = 0; i < 250; i += 25) await Promise.all(Array.from({ length: 25 }, (_, k) => send(project, `dev.eventyard.many.t${i + k}`, { i: i + k }, { subject: `many-${i + k}` })));
    // Delivery is asynchronous: wait until the display has all 250, counted by name or as other types.
    const many = (byType: Record<string, number>) => Object.entries(byType).reduce((sum, [t, n]) => sum + (t.startsWith('dev.eventyard.many.') || t === '(other types)' ? n : 0), 0);
    await expect.poll(async () => many((await displayState(project)).byType), WAIT).toBe(250);
    const state = await displayState(project);
    expect(Object.keys(state.byType)).toHaveLength(201);
    await page.waitForFunction((n) => Number(document.body.dataset.total) >= n, state.total, WAIT);
    // The page's filter offers the server's types: 200 by name and "(other types)".
    await expect.poll(async () => (await select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).filter(Boolean).sort(), WAIT).toEqual(Object.keys(state.byType).sort());
    expect(await select.locator('option[value="(other types)"]').textContent()).toBe(`(other types) (${state.byType['(other types)']})`);
    // More events of types it has: the options stay (counts change in place), the selection too.
    await page.evaluate(() => {
      (window as unknown as { kept: Element }).kept = document.querySelector('#filter-type option[value="dev.eventyard.many.t0"]')!;
    });
    await select.selectOption('(other types)');
    for (let k = 0; k < 3; k++) await send(project, 'dev.eventyard.many.t0', { again: k });
    await send(project, 'dev.eventyard.many.t249', { again: true }, { subject: 'many-249-again' });
    await page.locator('#stream-list .row', { hasText: 'many-249-again' }).waitFor(WAIT);
    await page.waitForFunction(() => (window as unknown as { kept: Element }).kept.textContent === 'dev.eventyard.many.t0 (4)', undefined, WAIT);
    expect(await page.evaluate(() => (window as unknown as { kept: Element }).kept.isConnected)).toBe(true);
    expect(await select.inputValue()).toBe('(other types)');
    // "(other types)" shows the events of the types folded into it, and no other.
    expect(await page.locator('#stream-list .row', { hasText: 'many-249' }).count()).toBe(2);
    expect(await page.locator('#stream-list .row', { hasText: 'dev.eventyard.many.t0' }).count()).toBe(0);
    // A new type (folded) changes no option either.
    await send(project, 'dev.eventyard.many.t999', {}, { subject: 'many-999' });
    await page.locator('#stream-list .row', { hasText: 'many-999' }).waitFor(WAIT);
    expect(await page.evaluate(() => (window as unknown as { kept: Element }).kept.isConnected)).toBe(true);
    await select.selectOption('');
    expect(errors).toEqual([]);
  });
});

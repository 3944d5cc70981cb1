// A burst of 5,000 events at full speed through the real broker to the display, watched by a real
// page in Chromium: every event is counted, and the page keeps answering clicks meanwhile.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { binaryHeaders } from './helpers/events.js';
import { describeWithChromium, screenshot, startDashboard, watchDashboard } from './helpers/browser.js';
import type { RunningProject } from './helpers/project.js';

const BURST = 5000;
const CONCURRENCY = 64;
const WAIT = { timeout: 120_000 };

describeWithChromium('display under a burst of events', () => {
  let project: RunningProject;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    project = await startDashboard();
    ({ browser, page, errors } = await watchDashboard(`${project.dev.url}/`));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await project?.close();
  });

  it(`counts every one of ${BURST.toLocaleString('en-US')} events sent at full speed, and the page answers clicks meanwhile`, async () => {
    const url = project.brokerUrl();
    let next = 0;
    let refused = 0;
    const sender = async () => {
      for (let i = next++; i < BURST; i = next++) {
        const kind = i % 4;
        const type = kind === 0 ? 'dev.eventyard.chat.scored' : kind === 1 ? 'dev.eventyard.render.tile.status' : kind === 2 ? 'dev.eventyard.frame.classified' : 'dev.eventyard.burst.tick';
        const data =
          kind === 0 ? { room: 'burst', user: `u${i % 50}`, text: `message ${i}`, sentiment: { score: ((i % 21) - 10) / 10 } }
          : kind === 1 ? { renderingId: `burst-${Math.floor(i / 400)}`, tileX: i % 16, tileY: Math.floor(i / 16) % 16, status: 'rendered' }
          : kind === 2 ? { trainId: 'burst-train', seq: i, predictions: [{ label: i % 3 === 0 ? 'stop' : 'go', score: 0.9, box: [0.1, 0.1, 0.2, 0.2] }] }
          : { n: i };
        const res = await fetch(url, { method: 'POST', headers: binaryHeaders({ id: `burst-${i}`, type, source: '/tests/burst', subject: `s${i}` }, 'application/json'), body: JSON.stringify(data) });
        await res.arrayBuffer();
        if (res.status !== 202) refused++;
      }
    };
    const sending = Promise.all(Array.from({ length: CONCURRENCY }, sender));

    // While the burst goes on, the page switches views when clicked.
    const clicks: string[] = [];
    for (const view of ['chat', 'render', 'train', 'stream']) {
      await page.locator(`#tab-${view}`).click(WAIT);
      await page.locator(`#tab-${view}[aria-selected="true"]`).waitFor(WAIT);
      await page.locator(`#view-${view}:not([hidden])`).waitFor(WAIT);
      clicks.push(view);
    }
    await sending;
    expect(refused).toBe(0);
    expect(clicks).toEqual(['chat', 'render', 'train', 'stream']);

    // Every event reached the display, and the page counted each one.
    await page.waitForFunction((n) => document.body.dataset.total === String(n), BURST, WAIT);
    expect(await page.locator('#total').textContent()).toBe(BURST.toLocaleString('en-US'));
    const state = (await (await fetch(`${project.dev.url}/_/services/default/display/api/state`)).json()) as { total: number; records: unknown[]; byType: Record<string, number> };
    expect(state.total).toBe(BURST);
    expect(Object.values(state.byType).reduce((a, b) => a + b, 0)).toBe(BURST);
    // Its memory stayed bounded: only the most recent events are kept.
    expect(state.records.length).toBeLessThanOrEqual(1000);

    // After the burst the page still does what a user asks: search finds the last event.
    await page.locator('#search').fill(`s${BURST - 1}`);
    await page.locator('#stream-list .row', { hasText: `s${BURST - 1}` }).waitFor(WAIT);
    await page.locator('#tab-chat').click();
    await page.locator('#chat-list .message').first().waitFor(WAIT);
    await screenshot(page, 'burst-chat');
    expect(errors).toEqual([]);
  }, 300_000);
});

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { describeWithPeer } from './peer-suite.js';
import { BROKER_YAML, startProject, type RunningProject } from './project.js';

/**
 * The browser test peer: Debian's Chromium driven by playwright-core (playwright's own browser
 * download does not work here). Suites that need it use `describeWithChromium`: without it they
 * skip with the reason, or fail under REQUIRE_PEERS=1 (CI).
 */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM_INSTALL = 'bash tests/peers/chromium/install.sh';
export const CHROMIUM = process.env.EVENTYARD_CHROMIUM || '/usr/bin/chromium';
/** Where browser tests save screenshots: look at them after a run. */
export const ARTIFACTS = path.join(REPO, '.eventyard', 'test-artifacts', 'display');

/** Flags for Chromium on a machine with a closed network (no background fetches, no GPU, root). */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

let status: { available: boolean; reason?: string; version?: string } | undefined;

export function chromiumStatus(): { available: boolean; reason?: string; version?: string } {
  if (status) return status;
  const run = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  if (run.error) status = { available: false, reason: (run.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${CHROMIUM} does not exist` : `${CHROMIUM} does not run: ${run.error.message}` };
  else if (run.status !== 0) status = { available: false, reason: `${CHROMIUM} --version failed (exit ${run.status}): ${run.stderr.trim().slice(0, 200)}` };
  else status = { available: true, version: run.stdout.trim() };
  return status;
}

/** `describe` for suites that drive Chromium (see describeWithPeer). */
export function describeWithChromium(name: string, fn: () => void): void {
  describeWithPeer('Chromium', chromiumStatus(), CHROMIUM_INSTALL, name, fn);
}

export async function launchChromium(): Promise<Browser> {
  // playwright-core gives each launch a fresh temporary profile (--user-data-dir).
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** A page that records what the browser reports as errors: console errors, uncaught exceptions, CSP violations. */
export interface WatchedPage {
  readonly page: Page;
  readonly errors: string[];
}

export async function openPage(browser: Browser, url: string, viewport = { width: 1400, height: 900 }): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  await page.goto(url);
  return { page, errors };
}

/** Chromium on the dashboard at `url`, once its live stream is up: what every dashboard suite starts with. */
export async function watchDashboard(url: string): Promise<WatchedPage & { browser: Browser }> {
  const browser = await launchChromium();
  const watched = await openPage(browser, url);
  await watched.page.locator('#conn[data-state="live"]').waitFor({ timeout: 60_000 });
  return { browser, ...watched };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/**
 * The real `eventyard dev` on a fresh project holding the display function as the repo has it
 * (its manifests copied, its code re-exported, its page assets linked) and the broker: nothing
 * else of the repo runs, so other functions in progress cannot break these tests.
 */
export async function startDashboard(options: Parameters<typeof startProject>[1] = {}): Promise<RunningProject> {
  const display = path.join(REPO, 'functions', 'display');
  const project = await startProject(
    {
      'eventing/broker.yaml': BROKER_YAML,
      'eventing/display.yaml': readFileSync(path.join(REPO, 'eventing', 'display.yaml'), 'utf8'),
      'triggers/display.yaml': readFileSync(path.join(REPO, 'triggers', 'display.yaml'), 'utf8'),
      'functions/display/index.ts': `export * from ${JSON.stringify(path.join(display, 'index.ts'))};\n`,
    },
    options,
  );
  // Instances start on first use (from zero), after this link is there.
  await symlink(path.join(display, 'public'), path.join(project.dir, 'functions', 'display', 'public'));
  return project;
}

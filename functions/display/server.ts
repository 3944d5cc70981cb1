import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type Response } from 'express';
import { History } from './history.js';
import { LiveHub, serialise } from './live.js';

/** What the display reads blob references (`blob:<key>`) from: src/function-kit/blob-store.ts. */
export interface BlobReader {
  get(ref: string): Promise<Uint8Array | undefined>;
}

/**
 * The page may load its own scripts, styles and images (data: for inline camera frames and tiles)
 * and talk only to its own origin: no inline script, so an event value that slipped into markup
 * still could not run.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The page's assets, found from the process's folder (the project folder locally, /workspace in
 * the image), not from this file: the function runs as a bundle somewhere else.
 */
export function publicDir(cwd = process.cwd()): string {
  return path.resolve(cwd, 'functions', 'display', 'public');
}

export interface Display {
  readonly app: Express;
  readonly history: History;
  readonly hub: LiveHub;
}

/** The display's HTTP side: the page, its live stream, a JSON snapshot and the blobs of render events. */
export function createDisplay(blobs: () => Promise<BlobReader | undefined>, assets = publicDir()): Display {
  const history = new History();
  const hub = new LiveHub(history);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    securityHeaders(res);
    next();
  });
  if (!existsSync(assets)) process.stderr.write(`display: no page assets at ${assets}; run it from the project folder\n`);
  app.get('/', (_req, res) => res.sendFile(path.join(assets, 'index.html'), { headers: { 'cache-control': 'no-cache' } }));
  app.use('/static', express.static(assets, { index: false, fallthrough: false, maxAge: 0 }));
  app.get('/live', (_req, res) => hub.watch(res));
  app.get('/api/state', (_req, res) => {
    const state = serialise({ ...history.snapshot(), watching: hub.watching });
    if (state.ok) {
      res.type('application/json').send(state.json);
      return;
    }
    process.stderr.write(`display: could not serialise the snapshot for /api/state: ${state.error}\n`);
    res.status(500).json({ error: `display: could not serialise its state (${state.error})` });
  });
  app.get('/blobs/*key', async (req, res, next) => {
    try {
      const key = (req.params as { key: string[] }).key.join('/');
      const store = await blobs();
      const bytes = store ? await store.get(`blob:${key}`) : undefined;
      if (!bytes) {
        res.status(404).type('text/plain').send('no such blob\n');
        return;
      }
      res.set({ 'content-type': sniffImage(bytes), 'cache-control': 'private, max-age=3600' }).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (err) {
      // A key the store refuses names no blob.
      if ((err as Error).name === 'BlobKeyError') res.status(404).type('text/plain').send('no such blob\n');
      else next(err);
    }
  });
  return { app, history, hub };
}

function securityHeaders(res: Response): void {
  res.set({
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  });
}

/** Blobs are images (PNG tiles and frames, JPEG camera frames); anything else is served inert. */
function sniffImage(b: Uint8Array): string {
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45) return 'image/webp';
  return 'application/octet-stream';
}

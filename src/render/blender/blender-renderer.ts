import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { RendererUnavailableError, type RenderJob, type TileRenderer } from '../renderer.js';
import { BUILD_SCENE_PY } from './build-scene-script.js';

const run = promisify(execFile);

/** The Blender binary: EVENTYARD_BLENDER, else `blender` on PATH. */
export function blenderCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.EVENTYARD_BLENDER || 'blender';
}

const versions = new Map<string, Promise<string | undefined>>();

/** Blender's version line when `command` runs, undefined when it does not (checked once per command). */
export function blenderVersion(command = blenderCommand()): Promise<string | undefined> {
  let version = versions.get(command);
  if (!version) {
    version = run(command, ['--version'], { timeout: 30_000 }).then(
      ({ stdout }) => stdout.split('\n').find((line) => line.startsWith('Blender'))?.trim(),
      () => undefined,
    );
    versions.set(command, version);
  }
  return version;
}

/**
 * Blender Cycles as a tile backend: one `blender -b` process per tile builds the JSON scene with
 * BUILD_SCENE_PY and renders the tile as a border render cropped to it (the way the original
 * render farm did), then the PNG is read back.
 */
export function blenderRenderer(command = blenderCommand(), timeoutMs = 10 * 60_000): TileRenderer {
  return {
    name: 'blender',
    async render(job: RenderJob): Promise<Uint8Array> {
      if (!(await blenderVersion(command))) {
        throw new RendererUnavailableError(`the blender renderer was asked for, but "${command}" does not run here: install Blender (apt-get install --no-install-recommends blender) or set EVENTYARD_BLENDER to its path`);
      }
      const dir = await mkdtemp(path.join(tmpdir(), 'eventyard-blender-'));
      try {
        const [script, jobFile, out] = ['build_scene.py', 'job.json', 'tile.png'].map((f) => path.join(dir, f)) as [string, string, string];
        await writeFile(script, BUILD_SCENE_PY);
        await writeFile(jobFile, JSON.stringify(job));
        try {
          await run(command, ['-b', '--factory-startup', '-noaudio', '--python-exit-code', '1', '-P', script, '--', jobFile, out], {
            timeout: timeoutMs,
            maxBuffer: 16 << 20,
          });
        } catch (err) {
          const e = err as { stderr?: string; stdout?: string; message: string };
          const tail = `${e.stderr ?? ''}${e.stdout ?? ''}`.trim().split('\n').slice(-8).join('\n');
          throw new Error(`blender failed to render region ${JSON.stringify(job.region)}: ${e.message.split('\n')[0]}\n${tail}`);
        }
        return await exactSize(await readFile(out), job.region.w, job.region.h);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Blender rounds border edges to whole pixels on its own, which can leave a cropped render a pixel
 * off the tile; trim it (keeping the top left) or pad it (repeating the right and bottom edges) to
 * the tile's size so that tiles still fit together. Never rescaled: a pixel stays where it was.
 */
export async function exactSize(png: Uint8Array, w: number, h: number): Promise<Uint8Array> {
  const { width = 0, height = 0 } = await sharp(png).metadata();
  if (width === w && height === h) return png;
  let image = sharp(png);
  // extract() called before extend() trims first (sharp's pre-resize extract), then pads.
  if (width > w || height > h) image = image.extract({ left: 0, top: 0, width: Math.min(width, w), height: Math.min(height, h) });
  if (width < w || height < h) image = image.extend({ right: Math.max(0, w - width), bottom: Math.max(0, h - height), extendWith: 'copy' });
  return image.png().toBuffer();
}

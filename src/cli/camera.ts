import { runCamera } from '../camera/camera.js';
import { DEFAULT_BROKER_URL } from './send.js';
import { UsageError, parseFlags } from './usage.js';

export const CAMERA_USAGE = `eventyard camera [URL] [--fps 10] [--seconds 30 | --frames N] [--seed 1] [--train train-1] [--quality 80]
                  the camera simulator: synthetic 600×400 JPEG frames of a track with signs (stop, slow, go),
                  sent as dev.eventyard.frame.captured to a broker (default ${DEFAULT_BROKER_URL});
                  the same seed sends the same frames`;

/** `eventyard camera`: runs the camera simulator against a broker and prints what it sent. */
export async function cameraCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      fps: { type: 'string', default: '10' },
      seconds: { type: 'string' },
      frames: { type: 'string' },
      seed: { type: 'string', default: '1' },
      train: { type: 'string', default: 'train-1' },
      quality: { type: 'string', default: '80' },
    },
    true,
  );
  if (positionals.length > 1) throw new UsageError(`expected at most one broker URL, got ${positionals.join(' ')}`);
  const number = (name: string, value: string | undefined, ok: (n: number) => boolean, what: string): number => {
    const n = Number(value);
    if (value === undefined || !ok(n)) throw new UsageError(`--${name} must be ${what}, got "${value}"`);
    return n;
  };
  const fps = number('fps', values.fps as string, (n) => n > 0 && n <= 100, 'a number of frames per second from 0 to 100');
  if (values.seconds !== undefined && values.frames !== undefined) throw new UsageError('give --seconds or --frames, not both');
  const frames =
    values.frames !== undefined
      ? number('frames', values.frames as string, (n) => Number.isInteger(n) && n > 0, 'a whole number above 0')
      : Math.round(fps * number('seconds', (values.seconds as string | undefined) ?? '30', (n) => n > 0, 'a number of seconds above 0'));
  const seed = number('seed', values.seed as string, (n) => Number.isInteger(n) && n >= 0, 'a whole number ≥ 0');
  const quality = number('quality', values.quality as string, (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'a JPEG quality from 1 to 100');
  const brokerUrl = positionals[0] ?? DEFAULT_BROKER_URL;
  process.stdout.write(`camera: ${frames} frames at ${fps} fps, seed ${seed}, train ${values.train} → ${brokerUrl}\n`);
  let refused = 0;
  const report = await runCamera({
    brokerUrl,
    fps,
    frames,
    seed,
    trainId: values.train as string,
    quality,
    onSent: (f) => {
      const signs = f.truth.map((t) => t.label).join(',') || '-';
      if (f.status < 200 || f.status >= 300) refused++;
      if (f.status < 200 || f.status >= 300 || f.seq % Math.max(1, Math.round(fps)) === 0) {
        process.stdout.write(`${f.status || 'no answer'} ${f.id} ${(f.bytes / 1024).toFixed(1)} KiB sign: ${signs}\n`);
      }
    },
  });
  process.stdout.write(`camera: sent ${report.frames.length}, accepted ${report.accepted}, ${report.fps.toFixed(1)} fps${report.late ? `, ${report.late} late` : ''}\n`);
  return refused === 0 ? 0 : 1;
}

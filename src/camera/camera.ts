import { request } from 'undici';
import { FRAME_HEIGHT, FRAME_WIDTH } from '../vision/frame-spec.js';
import { encodeJpeg } from '../vision/jpeg.js';
import type { SignTruth } from '../vision/scene.js';
import { TrackRun } from '../vision/track-run.js';

export interface CameraOptions {
  /** A broker's ingress, e.g. http://127.0.0.1:8080/default/default. */
  readonly brokerUrl: string;
  readonly fps: number;
  readonly frames: number;
  /** Same seed, same frames: a run can be replayed exactly. */
  readonly seed: number;
  readonly trainId: string;
  readonly quality?: number;
  /** Called once each frame's POST is answered. */
  readonly onSent?: (frame: SentFrame) => void;
}

/** One frame the camera sent, with what it showed (the ground truth). */
export interface SentFrame {
  readonly seq: number;
  /** The CloudEvent id: `<trainId>-<seq>`. */
  readonly id: string;
  /** performance.now() just before the POST. */
  readonly sentAt: number;
  readonly status: number;
  readonly bytes: number;
  readonly truth: readonly SignTruth[];
}

export interface CameraReport {
  readonly frames: readonly SentFrame[];
  readonly accepted: number;
  /** Frames per second actually sent. */
  readonly fps: number;
  /** Frames sent later than their slot by more than one frame interval (the machine fell behind). */
  readonly late: number;
}

/** The CloudEvent of a frame, in binary mode: the frame's JPEG as base64 inside JSON data. */
export function frameEvent(trainId: string, seq: number, jpeg: Buffer): { headers: Record<string, string>; body: string } {
  return {
    headers: {
      'ce-specversion': '1.0',
      'ce-id': `${trainId}-${seq}`,
      'ce-source': `/camera/${trainId}`,
      'ce-type': 'dev.eventyard.frame.captured',
      'ce-subject': trainId,
      'ce-time': new Date().toISOString(),
      'content-type': 'application/json',
    },
    body: JSON.stringify({ trainId, seq, width: FRAME_WIDTH, height: FRAME_HEIGHT, image: jpeg.toString('base64') }),
  };
}

/**
 * The camera simulator: renders the track run of `seed` frame by frame and POSTs each frame to the
 * broker at its slot (frame n at n/fps seconds), without waiting for earlier POSTs to be answered,
 * as a camera would. Resolves when every POST has been answered.
 */
export async function runCamera(options: CameraOptions): Promise<CameraReport> {
  const run = new TrackRun(options.seed);
  const interval = 1000 / options.fps;
  const posts: Promise<SentFrame>[] = [];
  let late = 0;
  const start = performance.now();
  for (let seq = 0; seq < options.frames; seq++) {
    const { raster, truth } = await run.frame(seq);
    const jpeg = await encodeJpeg(raster, options.quality ?? 80);
    const slot = start + seq * interval;
    const wait = slot - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    else if (-wait > interval) late++;
    const { headers, body } = frameEvent(options.trainId, seq, jpeg);
    const sentAt = performance.now();
    posts.push(
      request(options.brokerUrl, { method: 'POST', headers, body })
        .then(async (response) => {
          await response.body.dump();
          return response.statusCode;
        })
        .catch(() => 0)
        .then((status) => {
          const frame: SentFrame = { seq, id: headers['ce-id']!, sentAt, status, bytes: jpeg.length, truth };
          options.onSent?.(frame);
          return frame;
        }),
    );
  }
  const frames = await Promise.all(posts);
  const seconds = (performance.now() - start) / 1000;
  return { frames, accepted: frames.filter((f) => f.status >= 200 && f.status < 300).length, fps: frames.length / Math.max(seconds, 1e-3), late };
}

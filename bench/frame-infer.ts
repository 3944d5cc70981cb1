// Frame-infer throughput and inference time, side by side in one run:
// - the bare model call: onnxruntime-node on the crops of a frame (one batch), in this process;
// - the detection pipeline in this process: JPEG decode + colour regions + crops + the model;
// - frame-infer served by `eventyard dev` (its Service address: HTTP, CloudEvent, base64 JSON,
//   faas-js-runtime), one frame at a time and two at a time, with the inferMs/modelMs it reports.
// Frames come from the camera simulator (seed 21), JPEG q80. Trials alternate the systems.
//   node --import tsx bench/frame-infer.ts     (BENCH_FRAMES=300 BENCH_TRIALS=3)
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Pool } from 'undici';
import { frameEvent } from '../src/camera/camera.js';
import { serviceUrl } from '../src/serving/serving-runtime.js';
import { CROP_VALUES, writeCrop } from '../src/vision/crop.js';
import { detectSigns } from '../src/vision/detect-signs.js';
import { decodeImage, encodeJpeg } from '../src/vision/jpeg.js';
import { DEFAULT_SIGN_MODEL_PATH } from '../src/vision/model-spec.js';
import { findSignRegions } from '../src/vision/regions.js';
import { SignClassifier } from '../src/vision/sign-classifier.js';
import { TrackRun } from '../src/vision/track-run.js';
import { startAiProject } from '../tests/ai-project.js';
import { Subscriber } from '../tests/helpers/subscriber.js';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 300);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 3);
const DISTINCT = 100;

interface Trial {
  fps: number;
  msPerFrame: number[];
  /** What the function reported in its replies. */
  inferMs?: number[];
  modelMs?: number[];
}

const median = (xs: readonly number[]) => percentile(xs, 50);
function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export async function runFrameInferBench(): Promise<{ rows: FrameInferRow[]; table: string }> {
  const run = new TrackRun(21);
  const jpegs: Buffer[] = [];
  for (let seq = 0; seq < DISTINCT; seq++) jpegs.push(await encodeJpeg((await run.frame(seq)).raster));
  const decoded = await Promise.all(jpegs.map((j) => decodeImage(j)));
  const crops = decoded.map((frame) => {
    const boxes = findSignRegions(frame);
    const out = new Float32Array(boxes.length * CROP_VALUES);
    boxes.forEach((b, i) => writeCrop(frame, b, out, i * CROP_VALUES));
    return { out, count: boxes.length };
  });
  const classifier = await SignClassifier.load(DEFAULT_SIGN_MODEL_PATH);
  const cropsPerFrame = crops.reduce((n, c) => n + c.count, 0) / crops.length;
  const framesWithoutCandidates = crops.filter((c) => c.count === 0).length;

  const subscriber = await Subscriber.start();
  const project = await startAiProject(subscriber);
  const url = new URL(serviceUrl(project.dev.url, 'default', 'frame-infer'));
  const pool = new Pool(url.origin, { connections: 4, pipelining: 1 });
  const bodies = jpegs.map((j, seq) => frameEvent('bench', seq, j));
  const post = async (i: number) => {
    const { headers, body } = bodies[i % DISTINCT]!;
    const response = await pool.request({ path: url.pathname, method: 'POST', headers, body });
    const data = (await response.body.json()) as { inferMs: number; modelMs: number };
    if (response.statusCode !== 200) throw new Error(`frame-infer answered ${response.statusCode}`);
    return data;
  };
  for (let i = 0; i < 10; i++) await post(i); // starts the instance from zero, warms it up

  const systems: { name: string; run: () => Promise<Trial> }[] = [
    {
      name: 'bare model call (onnxruntime-node, one batch of crops)',
      run: async () => {
        const ms: number[] = [];
        const t0 = performance.now();
        for (let i = 0; i < FRAMES; i++) {
          const c = crops[i % DISTINCT]!;
          const t = performance.now();
          await classifier.classify(c.out, c.count);
          ms.push(performance.now() - t);
        }
        return { fps: FRAMES / ((performance.now() - t0) / 1000), msPerFrame: ms };
      },
    },
    {
      name: 'detection in process (JPEG decode + regions + crops + model)',
      run: async () => {
        const ms: number[] = [];
        const t0 = performance.now();
        for (let i = 0; i < FRAMES; i++) {
          const t = performance.now();
          await detectSigns(await decodeImage(jpegs[i % DISTINCT]!), classifier);
          ms.push(performance.now() - t);
        }
        return { fps: FRAMES / ((performance.now() - t0) / 1000), msPerFrame: ms };
      },
    },
    ...[1, 2].map((concurrency) => ({
      name: `frame-infer served by eventyard dev, ${concurrency} in flight`,
      run: async (): Promise<Trial> => {
        const ms: number[] = [];
        const inferMs: number[] = [];
        const modelMs: number[] = [];
        let next = 0;
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < FRAMES) {
              const i = next++;
              const t = performance.now();
              const data = await post(i);
              ms.push(performance.now() - t);
              inferMs.push(data.inferMs);
              modelMs.push(data.modelMs);
            }
          }),
        );
        return { fps: FRAMES / ((performance.now() - t0) / 1000), msPerFrame: ms, inferMs, modelMs };
      },
    })),
  ];

  const trials = new Map<string, Trial[]>(systems.map((s) => [s.name, []]));
  for (let t = 0; t < TRIALS; t++) for (const s of systems) trials.get(s.name)!.push(await s.run());

  const rows = systems.map((s) => {
    const all = trials.get(s.name)!;
    const flat = (pick: (t: Trial) => number[] | undefined) => all.flatMap((t) => pick(t) ?? []);
    return {
      system: s.name,
      fps: median(all.map((t) => t.fps)),
      p50Ms: median(flat((t) => t.msPerFrame)),
      p95Ms: percentile(flat((t) => t.msPerFrame), 95),
      inferMsP50: all[0]!.inferMs ? median(flat((t) => t.inferMs)) : undefined,
      modelMsP50: all[0]!.modelMs ? median(flat((t) => t.modelMs)) : undefined,
    };
  });
  const bare = rows[0]!;
  const f = (x: number | undefined, d = 2) => (x === undefined ? '–' : x.toFixed(d));
  const table = [
    `frame-infer on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; ${FRAMES} frames × ${TRIALS} trials (median fps of the trials; latency percentiles over all frames); goal ≥ 20 fps (twice the camera's 10)`,
    `${DISTINCT} distinct frames (camera simulator, seed 21): ${cropsPerFrame.toFixed(2)} candidate regions a frame on average, ${framesWithoutCandidates} with none (no model call)`,
    '',
    '| system | frames/s | ms/frame p50 | ms/frame p95 | inferMs p50 (reported) | modelMs p50 (reported) | × bare model time |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.system} | ${f(r.fps, 1)} | ${f(r.p50Ms)} | ${f(r.p95Ms)} | ${f(r.inferMsP50)} | ${f(r.modelMsP50)} | ${f(r.p50Ms / bare.p50Ms, 1)} |`),
  ].join('\n');
  await pool.close();
  await project.close();
  await subscriber.close();
  await classifier.close();
  return { rows, table };
}

export interface FrameInferRow {
  readonly system: string;
  readonly fps: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly inferMsP50?: number;
  readonly modelMsP50?: number;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { rows, table } = await runFrameInferBench();
  process.stdout.write(`${table}\n`);
  const results = path.join(import.meta.dirname, 'results');
  await mkdir(results, { recursive: true });
  await writeFile(path.join(results, 'frame-infer.json'), JSON.stringify({ at: new Date().toISOString(), frames: FRAMES, trials: TRIALS, cpus: os.cpus().length, rows }, null, 2) + '\n');
  process.exit(0);
}

// Render bench: one 640×360 frame of the spheres scene at fixed samples, cut into 4×4 tiles and
// rendered by the render farm under `eventyard dev` (render-tile max-scale 1, then 2), side by side
// with the baseline: one full-frame render in one process, no events, no tiles, no blob store.
// Prints a Markdown table and writes bench/results/render.json and render.md.
//   node --import tsx bench/render.ts        (BENCH_RENDER_SAMPLES, BENCH_RENDER_TRIALS)
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { encodePng } from '../src/render/builtin-renderer.js';
import { renderRegion } from '../src/render/path-tracer.js';
import { BUILT_IN_SCENES } from '../src/render/scene.js';
import { sendEvent } from '../tests/helpers/events.js';
import { Subscriber } from '../tests/helpers/subscriber.js';
import { startRenderProject } from '../tests/render-project.js';

const WIDTH = 640;
const HEIGHT = 360;
const DIVISIONS = 4;
const SAMPLES = Number(process.env.BENCH_RENDER_SAMPLES ?? 16);
/** Orders per configuration; the first starts render-tile from zero, the others find it warm. */
const TRIALS = Math.max(2, Number(process.env.BENCH_RENDER_TRIALS ?? 3));
const SCENE = 'spheres';

export interface RenderBenchRow {
  readonly system: string;
  readonly maxScale: number | null;
  /** The first order, render-tile starting from zero (ms). */
  readonly fromZeroMs: number | null;
  /** The best of the other orders, instances already up (ms). */
  readonly warmMs: number;
  readonly runsMs: readonly number[];
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The baseline: render the whole frame and encode it as PNG, in this process. */
async function baseline(): Promise<RenderBenchRow> {
  const scene = BUILT_IN_SCENES[SCENE]!;
  const runsMs: number[] = [];
  for (let i = 0; i < TRIALS; i++) {
    const t = performance.now();
    const px = renderRegion(scene, { width: WIDTH, height: HEIGHT, samples: SAMPLES }, { x: 0, y: 0, w: WIDTH, h: HEIGHT });
    await encodePng(px, WIDTH, HEIGHT);
    runsMs.push(performance.now() - t);
  }
  return { system: 'one full-frame render + PNG, one process (baseline)', maxScale: null, fromZeroMs: null, warmMs: Math.min(...runsMs), runsMs };
}

/** Orders through the broker, timed from the order's 202 to render.completed at a subscriber. */
async function farm(maxScale: number): Promise<RenderBenchRow> {
  const watch = await Subscriber.start();
  const project = await startRenderProject({
    watchUrl: watch.url('/events'),
    edit: (file, text) => (file === 'eventing/render-tile.yaml' ? text.replace(/max-scale: "\d+"/, `max-scale: "${maxScale}"`) : text),
  });
  const runsMs: number[] = [];
  try {
    for (let i = 0; i < TRIALS; i++) {
      const renderingId = `bench-${maxScale}-${i}`;
      const t = performance.now();
      const { status } = await sendEvent(project.brokerUrl, { type: 'dev.eventyard.render.requested', source: '/bench/render' }, {
        renderingId,
        scene: SCENE,
        width: WIDTH,
        height: HEIGHT,
        divisions: DIVISIONS,
        samples: SAMPLES,
      });
      if (status !== 202) throw new Error(`order refused: ${status}`);
      const done = () => watch.on('/events').find((r) => r.headers['ce-renderingid'] === renderingId && String(r.headers['ce-type']).match(/render\.(completed|failed)$/));
      for (const end = Date.now() + 300_000; !done(); ) {
        if (Date.now() > end) throw new Error(`${renderingId} did not finish in 5 minutes`);
        await new Promise((r) => setTimeout(r, 5));
      }
      if (done()!.headers['ce-type'] !== 'dev.eventyard.render.completed') throw new Error(`${renderingId} failed: ${done()!.body}`);
      runsMs.push(performance.now() - t);
    }
  } finally {
    await project.close();
    await watch.close();
  }
  const [fromZero, ...warm] = runsMs;
  return { system: `render farm, ${DIVISIONS}×${DIVISIONS} tiles, render-tile max-scale ${maxScale}`, maxScale, fromZeroMs: fromZero!, warmMs: Math.min(...warm), runsMs };
}

export async function runRenderBench(): Promise<{ rows: RenderBenchRow[]; table: string; speedUp: number; overhead: number }> {
  const basePng = await baseline();
  const one = await farm(1);
  const two = await farm(2);
  const rows = [basePng, one, two];
  const ref = basePng.warmMs;
  const fmt = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(2)} s`);
  const speedUp = ref / two.warmMs;
  const overhead = one.warmMs / ref - 1;
  const table = [
    `### Render: ${WIDTH}×${HEIGHT} "${SCENE}", ${SAMPLES} samples/pixel, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), Node ${process.version}`,
    '',
    '| system | first order (from zero) | warm (best) | all runs | vs baseline |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.system} | ${fmt(r.fromZeroMs)} | ${fmt(r.warmMs)} | ${r.runsMs.map((ms) => (ms / 1000).toFixed(2)).join(', ')} | ${(ref / r.warmMs).toFixed(2)}× |`),
    '',
    `Speed-up with 2 render-tile instances over the baseline (warm): **${speedUp.toFixed(2)}×** (goal ≥ 1.6× on 2 cores); ` +
      `max-scale 2 over max-scale 1: ${(one.warmMs / two.warmMs).toFixed(2)}×.`,
    `Distribution overhead, max-scale 1 against the baseline (warm): **${(overhead * 100).toFixed(1)} %** (goal ≤ 20 %); ` +
      `median runs: ${((median(one.runsMs.slice(1)) / median(basePng.runsMs) - 1) * 100).toFixed(1)} %.`,
    '',
  ].join('\n');
  return { rows, table, speedUp, overhead };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { rows, table, speedUp, overhead } = await runRenderBench();
  console.log(table);
  const out = path.join(import.meta.dirname, 'results');
  await mkdir(out, { recursive: true });
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
  await writeFile(
    path.join(out, 'render.json'),
    JSON.stringify({ at: new Date().toISOString(), machine, width: WIDTH, height: HEIGHT, divisions: DIVISIONS, samples: SAMPLES, trials: TRIALS, scene: SCENE, speedUp, overhead, rows }, null, 2),
  );
  await writeFile(path.join(out, 'render.md'), table);
  console.error(`bench: wrote ${path.relative(process.cwd(), out)}/render.json and render.md`);
  process.exit(0);
}

// The edge-AI workload end to end through `eventyard dev`: the camera simulator at 10 fps for 30 s
// → broker → frame-infer → broker → train-control → broker → a subscriber. Every frame must come
// out classified and commanded, once, and right wherever a sign is in view. Latency is reported
// (frame POSTed → its command delivered), not asserted: this machine is shared.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCamera, type CameraReport } from '../src/camera/camera.js';
import { decide } from '../functions/train-control/rule.js';
import { Subscriber } from './helpers/subscriber.js';
import { dataOf, startAiProject, type AiProject } from './ai-project.js';

const FPS = 10;
const SECONDS = 30;
const SEED = 10;
const TRAIN = 'train-e2e';

let project: AiProject;
let out: Subscriber;

beforeAll(async () => {
  out = await Subscriber.start();
  project = await startAiProject(out);
  // Both functions started from zero before the run: the latency below is the warm path.
  await runCamera({ brokerUrl: project.brokerUrl, fps: FPS, frames: 1, seed: 99, trainId: 'warm-up' });
  await out.waitFor('/commands', 1, 30_000);
}, 60_000);
afterAll(async () => {
  await project?.close();
  await out?.close();
});

interface Command {
  trainId: string;
  seq: number;
  action: string;
}

const ofTrain = (path: string) => out.on(path).map((r) => ({ data: dataOf<{ trainId: string; seq: number }>(r), at: r.at })).filter((r) => r.data.trainId === TRAIN);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

it(`classifies and commands every frame of ${SECONDS} s at ${FPS} fps, none lost, the right command wherever a sign is shown`, async () => {
  const frames = FPS * SECONDS;
  const report: CameraReport = await runCamera({ brokerUrl: project.brokerUrl, fps: FPS, frames, seed: SEED, trainId: TRAIN });
  expect(report.accepted).toBe(frames);
  const deadline = Date.now() + 60_000;
  while (ofTrain('/commands').length < frames && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

  const classified = ofTrain('/classified');
  const commands = ofTrain('/commands');
  expect(new Set(classified.map((c) => c.data.seq)).size).toBe(frames);
  expect(classified).toHaveLength(frames);
  expect(new Set(commands.map((c) => c.data.seq)).size).toBe(frames);
  expect(commands).toHaveLength(frames);
  expect(out.on('/dead-letters')).toHaveLength(0);

  const bySeq = new Map(commands.map((c) => [c.data.seq, c]));
  const wrong: string[] = [];
  let withSign = 0;
  let noSignGo = 0;
  const latencies: number[] = [];
  for (const frame of report.frames) {
    const command = bySeq.get(frame.seq)!;
    latencies.push(command.at - frame.sentAt);
    const expected = decide(frame.truth.map((t) => ({ label: t.label, score: 1 }))).action;
    const action = (command.data as Command).action;
    if (frame.truth.length > 0) {
      withSign++;
      if (action !== expected) wrong.push(`frame ${frame.seq}: ${frame.truth[0]!.label} sign, command ${action}`);
    } else if (action === 'go') noSignGo++;
  }
  latencies.sort((a, b) => a - b);
  const inferMs = classified.map((c) => (c.data as unknown as { inferMs: number }).inferMs).sort((a, b) => a - b);
  console.log(
    `camera e2e: ${frames} frames at ${report.fps.toFixed(1)} fps sent, ${classified.length} classified, ${commands.length} commanded; ` +
      `right command on ${withSign - wrong.length}/${withSign} frames with a sign, go on ${noSignGo}/${frames - withSign} without; ` +
      `frame sent → command delivered p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms; ` +
      `frame-infer inferMs p50 ${percentile(inferMs, 50)} ms, p95 ${percentile(inferMs, 95)} ms`,
  );
  expect(wrong).toEqual([]);
  expect(withSign).toBeGreaterThan(frames / 2);
}, 120_000);

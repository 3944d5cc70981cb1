// frame-infer and chat-infer served by the real `eventyard dev` from the repo's manifests: good
// events get their reply through the broker; bad ones get a 400 with a reason, are dead-lettered,
// and the instance keeps serving.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJpeg } from '../src/vision/jpeg.js';
import { TrackRun } from '../src/vision/track-run.js';
import { frameEvent } from '../src/camera/camera.js';
import { sendEvent } from './helpers/events.js';
import { pngBomb } from './helpers/images.js';
import { Subscriber } from './helpers/subscriber.js';
import { dataOf, startAiProject, type AiProject } from './ai-project.js';

let project: AiProject;
let out: Subscriber;

beforeAll(async () => {
  out = await Subscriber.start();
  project = await startAiProject(out);
}, 60_000);
afterAll(async () => {
  await project?.close();
  await out?.close();
});

const deliveriesOf = (id: string) => project.dev.runtime.recent.list().filter((d) => d.eventId === id);
const frameData = (image: string, width = 600, height = 400) => ({ trainId: 'train-bad', seq: 1, width, height, image });

interface Classified {
  trainId: string;
  seq: number;
  predictions: { label: string; score: number; box: { x: number; y: number; w: number; h: number } }[];
  inferMs: number;
  modelMs: number;
  model: string;
}

describe('frame-infer', () => {
  it('classifies a camera frame: label, score and box of the sign, model version, inference time; train-control commands it', async () => {
    const { raster, truth } = await new TrackRun(5).frame(20);
    expect(truth).toHaveLength(1);
    const jpeg = await encodeJpeg(raster);
    const { headers, body } = frameEvent('train-ok', 20, jpeg);
    const response = await fetch(project.brokerUrl, { method: 'POST', headers, body });
    expect(response.status).toBe(202);
    const classified = dataOf<Classified>((await out.waitFor('/classified'))[0]!);
    expect(classified).toMatchObject({ trainId: 'train-ok', seq: 20, model: expect.stringMatching(/^signnet@[0-9a-f]{12}$/) });
    expect(classified.inferMs).toBeGreaterThan(0);
    expect(classified.modelMs).toBeGreaterThan(0);
    const [sign] = classified.predictions;
    expect(sign).toMatchObject({ label: truth[0]!.label });
    expect(sign!.score).toBeGreaterThan(0.9);
    // The box lies on the drawn sign.
    const t = truth[0]!.box;
    expect(Math.abs(sign!.box.x + sign!.box.w / 2 - (t.x + t.w / 2))).toBeLessThan(t.w * 0.2);
    expect(Math.abs(sign!.box.y + sign!.box.h / 2 - (t.y + t.h / 2))).toBeLessThan(t.h * 0.2);
    const [command] = await out.waitFor('/commands');
    const action = { stop: 'stop', slow: 'slow', go: 'go' }[truth[0]!.label];
    expect(dataOf(command!)).toMatchObject({ trainId: 'train-ok', seq: 20, action });
  });

  const bad: [string, () => Promise<unknown>, RegExp][] = [
    ['not an image', async () => frameData(Buffer.from('this is not a JPEG, it is a sentence').toString('base64')), /image is not a JPEG/],
    ['a frame of the wrong size', async () => frameData((await sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } }).jpeg().toBuffer()).toString('base64'), 320, 240), /takes 600×400 frames; this one says 320×240/],
    ['an image smaller than the event says', async () => frameData((await sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } }).jpeg().toBuffer()).toString('base64')), /image is 320×240, but the event says 600×400/],
    ['an image whose header declares 16383×16383 pixels (a decompression bomb: 33 KB of PNG)', async () => frameData(pngBomb(16383).toString('base64')), /image is 16383×16383, but the event says 600×400/],
    ['an empty image', async () => frameData(''), /\/image must NOT have fewer than 1 characters/],
    ['no data at all', async () => undefined, /\(data\) must be object/],
  ];

  for (const [what, data, reason] of bad) {
    it(`answers ${what} with a 400 and its reason; the frame is dead-lettered, not retried`, async () => {
      const { id, status } = await sendEvent(project.brokerUrl, { type: 'dev.eventyard.frame.captured', source: '/tests' }, await data());
      expect(status).toBe(202);
      const dead = await out.waitForId('/dead-letters', id);
      expect(dead.headers['ce-knativeerrorcode']).toBe('400');
      expect(Buffer.from(String(dead.headers['ce-knativeerrordata']), 'base64').toString()).toMatch(reason);
      expect(deliveriesOf(id).find((d) => d.trigger === 'default/frame-infer')).toMatchObject({ fate: 'dead-lettered', attempts: 1, status: 400 });
    });
  }

  it('keeps serving after the bad frames, on the same instance', async () => {
    const { raster } = await new TrackRun(5).frame(21);
    const { headers, body } = frameEvent('train-after', 21, await encodeJpeg(raster));
    await fetch(project.brokerUrl, { method: 'POST', headers, body });
    const replies = await out.waitFor('/classified', 2);
    expect(replies.map((r) => dataOf<Classified>(r).trainId)).toContain('train-after');
    const stats = project.dev.serving.find('default', 'frame-infer')!.stats();
    expect(stats.coldStarts).toBe(1);
    expect(stats.crashes).toBe(0);
  });
});

interface Scored {
  room: string;
  user: string;
  text: string;
  language: { code: string; score: number; model: string };
  sentiment: { label: string; score: number; model: string };
  moderation: { flagged: boolean; categories: string[] };
  inferMs: number;
}

describe('chat-infer', () => {
  const messages = [
    { user: 'ana', text: 'This train is awesome, I love it!', language: 'en', sentiment: 'positive', flagged: false },
    { user: 'bob', text: 'Ce train est vraiment magnifique ce soir', language: 'fr', sentiment: 'neutral', flagged: false },
    { user: 'cem', text: 'Der Zug ist heute leider sehr spät angekommen', language: 'de', sentiment: 'neutral', flagged: false },
    { user: 'dan', text: 'The camera is broken and the stream is terrible.', language: 'en', sentiment: 'negative', flagged: false },
    { user: 'eve', text: 'you are a stupid idiot', language: 'en', sentiment: 'negative', flagged: true },
  ];

  it('scores each message: language (fastText lid.176), sentiment (VADER), moderation (word list)', async () => {
    for (const m of messages) {
      const { status } = await sendEvent(project.brokerUrl, { type: 'dev.eventyard.chat.message', source: '/tests/chat' }, { room: 'live-1', user: m.user, text: m.text, at: new Date().toISOString() });
      expect(status).toBe(202);
    }
    const scored = (await out.waitFor('/scored', messages.length)).map((r) => dataOf<Scored>(r));
    for (const m of messages) {
      const s = scored.find((x) => x.user === m.user)!;
      expect(s, m.user).toMatchObject({ room: 'live-1', text: m.text, language: { code: m.language, model: 'fasttext lid.176' }, sentiment: { label: m.sentiment }, moderation: { flagged: m.flagged } });
      expect(s.language.score).toBeGreaterThan(0.5);
      expect(s.inferMs).toBeGreaterThanOrEqual(0);
    }
    expect(scored.find((x) => x.user === 'eve')!.moderation.categories).toContain('insult');
  });

  it('answers a message without text with a 400; it is dead-lettered', async () => {
    const { id } = await sendEvent(project.brokerUrl, { type: 'dev.eventyard.chat.message', source: '/tests/chat' }, { room: 'live-1', user: 'x' });
    const dead = await out.waitForId('/dead-letters', id);
    expect(Buffer.from(String(dead.headers['ce-knativeerrordata']), 'base64').toString()).toMatch(/must have required property 'text'/);
    expect(deliveriesOf(id).find((d) => d.trigger === 'default/chat-infer')).toMatchObject({ fate: 'dead-lettered', attempts: 1 });
  });
});


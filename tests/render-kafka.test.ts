// The render farm's Kafka path under `eventyard dev` with a Kafka: render-order writes the tiles
// to the topic rendering-requests (dev gives it KAFKA_BOOTSTRAP_SERVERS), one partition per tile,
// and the KafkaSource sources/rendering-kafka.yaml feeds them into the broker, whose Triggers
// take them to render-tile and the rendered tiles to render-assemble.
import sharp from 'sharp';
import { Kafka, type Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderRegion } from '../src/render/path-tracer.js';
import { BUILT_IN_SCENES } from '../src/render/scene.js';
import { sendEvent } from './helpers/events.js';
import { describeWithKafka, startKafkaPeer, testKafkaConfig, type KafkaPeer } from './helpers/kafka-peer.js';
import { Subscriber } from './helpers/subscriber.js';
import { startRenderProject, type RenderProject } from './render-project.js';

describeWithKafka('render farm through Kafka', () => {
  let peer: KafkaPeer;
  let watch: Subscriber;
  let project: RenderProject;
  let admin: Admin;

  beforeAll(async () => {
    peer = await startKafkaPeer({ topics: { 'rendering-requests': 4 } });
    watch = await Subscriber.start();
    admin = new Kafka({ ...testKafkaConfig.client, brokers: peer.bootstrap }).admin();
    await admin.connect();
    project = await startRenderProject({
      kafkaSource: true,
      watchUrl: watch.url('/events'),
      peers: { kafka: { bootstrapServers: peer.bootstrap, consumer: testKafkaConfig.consumer } },
    });
  }, 60_000);

  afterAll(async () => {
    await project?.close();
    await admin?.disconnect();
    await watch?.close();
    await peer?.stop();
  });

  it('sends the tiles to the topic, one partition per tile, and completes the frame', async () => {
    const { status } = await sendEvent(project.brokerUrl, { type: 'dev.eventyard.render.requested', source: '/tests/render-kafka' }, {
      renderingId: 'via-kafka',
      scene: 'blocks',
      width: 80,
      height: 60,
      divisions: 2,
      samples: 1,
    });
    expect(status).toBe(202);
    const completedOf = () => watch.on('/events').find((r) => r.headers['ce-type'] === 'dev.eventyard.render.completed' && r.headers['ce-renderingid'] === 'via-kafka');
    for (const end = Date.now() + 45_000; !completedOf() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
    const done = completedOf();
    expect(done, 'render.completed').toBeDefined();
    const completed = JSON.parse(done!.body.toString()) as { image: string; tiles: number };
    expect(completed.tiles).toBe(4);

    // Every tile went through the topic, each to a partition of its own.
    const offsets = await admin.fetchTopicOffsets('rendering-requests');
    expect(offsets.map((p) => [p.partition, p.high]).sort()).toEqual([
      [0, '1'],
      [1, '1'],
      [2, '1'],
      [3, '1'],
    ]);
    // ... and came back into the broker through the KafkaSource, keeping their attributes.
    const tiles = watch.on('/events').filter((r) => r.headers['ce-type'] === 'dev.eventyard.render.tile.requested');
    expect(tiles.map((r) => r.headers['ce-subject']).sort()).toEqual(['tiles/0-0', 'tiles/0-1', 'tiles/1-0', 'tiles/1-1']);
    for (const t of tiles) expect(t.headers['ce-renderingid']).toBe('via-kafka');

    const png = await project.blobs.get(completed.image);
    const { data } = await sharp(png!).raw().toBuffer({ resolveWithObject: true });
    expect(data.equals(Buffer.from(renderRegion(BUILT_IN_SCENES.blocks!, { width: 80, height: 60, samples: 1 }, { x: 0, y: 0, w: 80, h: 60 })))).toBe(true);
  }, 60_000);
});

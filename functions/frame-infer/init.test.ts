import { CloudEvent } from 'cloudevents';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeJpeg } from '../../src/vision/jpeg.js';
import { TrackRun } from '../../src/vision/track-run.js';
import { handle, init } from './index.js';

describe('frame-infer init', () => {
  afterEach(() => {
    delete process.env.SIGN_MODEL_PATH;
  });

  it('loads the model once, in init: handle never reads the model file again', async () => {
    await init();
    // Were the model read per event, this would fail every frame from here on.
    process.env.SIGN_MODEL_PATH = '/nonexistent/signnet.onnx';
    await init();
    const { raster } = await new TrackRun(5).frame(20);
    const image = (await encodeJpeg(raster)).toString('base64');
    for (let seq = 0; seq < 3; seq++) {
      const reply = await handle(undefined, new CloudEvent({ source: '/t', type: 'dev.eventyard.frame.captured', data: { trainId: 't', seq, width: 600, height: 400, image } }));
      expect(reply.data).toMatchObject({ seq, model: expect.stringMatching(/^signnet@/) });
    }
  });
});

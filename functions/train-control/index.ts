import { CloudEvent } from 'cloudevents';
import { dataValidator } from '../../src/function-kit/event-data.js';
import schema from './frame.classified.schema.json' with { type: 'json' };
import { decide, type Prediction } from './rule.js';

interface FrameClassified {
  readonly trainId: string;
  readonly seq: number;
  readonly predictions: readonly Prediction[];
}

const readFrame = dataValidator<FrameClassified>('dev.eventyard.frame.classified', schema);

/**
 * train-control: a classified camera frame in, the train's next command out (go, slow or stop),
 * as the reply `dev.eventyard.train.command`. Pure and stateless: every frame decides on its own.
 */
export async function handle(_context: unknown, event?: CloudEvent<unknown>): Promise<CloudEvent<unknown>> {
  const frame = readFrame(event?.data);
  const command = decide(frame.predictions);
  return new CloudEvent({
    source: '/functions/train-control',
    type: 'dev.eventyard.train.command',
    subject: frame.trainId,
    data: { trainId: frame.trainId, seq: frame.seq, ...command },
  });
}

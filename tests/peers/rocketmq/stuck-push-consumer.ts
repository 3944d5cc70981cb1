// Child process for the crash test: a PushConsumer whose listener never finishes, so the message it
// got stays in flight until the test kills this process.
// Usage: node --import tsx stuck-push-consumer.ts <endpoint> <group> <topic>
import { PushConsumer, type ConsumeResult } from 'rocketmq-client-nodejs';
import { clientOptions } from './client-options.js';

const [endpoint, group, topic] = process.argv.slice(2);
if (!endpoint || !group || !topic) throw new Error('usage: stuck-push-consumer.ts <endpoint> <group> <topic>');
const push = new PushConsumer({
  ...clientOptions({ endpoint }),
  consumerGroup: group,
  subscriptions: new Map([[topic, '*']]),
  messageListener: { consume: () => new Promise<ConsumeResult>(() => {}) },
});
await push.startup();
process.stdout.write('ready\n');

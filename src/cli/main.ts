import { buildCommand } from './build.js';
import { CAMERA_USAGE, cameraCommand } from './camera.js';
import { checkCommand } from './check.js';
import { devCommand } from './dev.js';
import { explainCommand } from './explain.js';
import { rocketmqAdapterCommand } from './rocketmq-adapter.js';
import { sendCommand } from './send.js';
import { startCommand } from './start.js';
import { UsageError } from './usage.js';

const USAGE = `eventyard — Knative eventing and functions, locally

  eventyard dev   [--dir D] [--port P] [--host H] [--max-body-bytes N] [--max-pending-deliveries 100000]
                  [--stable-window 60s] [--scale-to-zero-grace-period 30s]
                  [--kafka-bootstrap-servers H:P] [--rocketmq-endpoints H:P] [--shutdown-timeout 30s]
                  run the broker, triggers, delivery, sources and functions (scaled from
                  zero) of the project in D (default: .)
  eventyard send  [URL] --type T --source S [--data JSON|@file] [--ext name=value]…
                  [--id I] [--subject S] [--content-type C] [--structured]
                  send one CloudEvent to a broker (default URL http://127.0.0.1:8080/default/default)
  eventyard start [dev flags]
                  what npm start runs: inside Knative (K_SERVICE set) serve that function of
                  functions/, with its Triggers' CEL filters enforced; elsewhere eventyard dev
  eventyard build [--dir D]
                  bundle every function into build/functions/ for the image (npm run build)
  eventyard rocketmq-adapter --source NAMESPACE/NAME [--dir D] [--endpoints H:P]
                  on a cluster (a ContainerSource): run that RocketMQSource of the manifests,
                  delivering to K_SINK
  eventyard check [--dir D]
                  validate the manifests; lists every problem with file and field
  eventyard explain --event FILE [--dir D] [--trigger NAME] [--json]
                  for each Trigger, whether the event (a structured CloudEvent in JSON) is
                  delivered, and the result of every part of its filters
  ${CAMERA_USAGE}
`;

const commands: Record<string, (args: string[]) => Promise<number>> = {
  dev: devCommand,
  send: sendCommand,
  check: checkCommand,
  explain: explainCommand,
  start: startCommand,
  build: buildCommand,
  'rocketmq-adapter': rocketmqAdapterCommand,
  camera: cameraCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`eventyard: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(args);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`eventyard ${name}: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;

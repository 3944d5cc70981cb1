import path from 'node:path';
import { ManifestError, formatProblem } from '../manifests/problems.js';
import { startDev } from '../runtime/dev-server.js';
import { intFlag, parseFlags } from './usage.js';

export async function devCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    dir: { type: 'string', default: '.' },
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    'max-body-bytes': { type: 'string' },
  });
  const dir = path.resolve(values.dir);
  let dev;
  try {
    dev = await startDev({
      dir,
      host: values.host,
      port: intFlag(values.port ?? process.env.PORT, 'port', 8080),
      maxBodyBytes: values['max-body-bytes'] === undefined ? undefined : intFlag(values['max-body-bytes'], 'max-body-bytes', 0),
    });
  } catch (err) {
    if (err instanceof ManifestError) {
      process.stderr.write(`eventyard dev: the manifests in ${dir} have problems; nothing was started.\n`);
      for (const p of err.problems) process.stderr.write(`  ${formatProblem(p)}\n`);
      return 1;
    }
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`eventyard dev: ${values.host}:${values.port ?? 8080} is already in use; pick another with --port\n`);
      return 1;
    }
    throw err;
  }
  const lines = [
    `eventyard dev: ${dev.manifests.files.length} manifest files, ${dev.runtime.brokers.size} brokers, ${dev.runtime.dispatchers.length} triggers`,
    ...[...dev.runtime.brokers.values()].map((b) => `  broker ingress  ${b.address}`),
    `  deliveries      ${dev.url}/_/deliveries`,
    `  triggers        ${dev.url}/_/triggers`,
  ];
  process.stderr.write(`${lines.join('\n')}\n`);

  const stop = async (signal: string) => {
    process.stderr.write(`eventyard dev: ${signal}, stopping\n`);
    await dev.close();
    dev.logger.flush();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return 0;
}

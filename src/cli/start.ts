import { devCommand } from './dev.js';
import { intFlag } from './usage.js';

/**
 * `npm start`: one image holds every function. Inside Knative (which sets K_SERVICE) it serves that
 * function; anywhere else it runs the local runtime (`eventyard dev`).
 */
export async function startCommand(args: string[]): Promise<number> {
  const service = process.env.K_SERVICE;
  if (!service) return devCommand(args);
  const port = intFlag(process.env.PORT, 'port', 8080);
  // Loaded only here: the local runtime never needs faas-js-runtime.
  const { serveFunction } = await import('../serving/serve-function.js');
  await serveFunction(process.cwd(), service, port);
  process.stderr.write(`eventyard: serving function ${service} on port ${port}\n`);
  return 0;
}

// Worker-thread entry of the ingress fuzz (plain JS: a worker does not inherit vitest's TypeScript
// loader, so it registers tsx itself): runs runFuzz(workerData) and posts its result.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { runFuzz } = await tsImport('./run-fuzz.ts', import.meta.url);
parentPort.postMessage(await runFuzz(workerData));

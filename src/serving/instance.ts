import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PACKAGE_NODE_MODULES } from './function-bundle.js';
import type { ReadyMessage } from './function-main.js';

export type InstanceState = 'starting' | 'ready' | 'draining' | 'gone';

/** How an instance ended: asked to stop, or on its own (a crash, or a failed start). */
export interface InstanceExit {
  readonly expected: boolean;
  readonly wasReady: boolean;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last lines it wrote to stderr, for the log of a crash. */
  readonly stderrTail: string;
}

export interface InstanceOptions {
  readonly id: number;
  readonly bundle: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Called once, when the process is gone for whatever reason. */
  readonly onExit: (instance: FunctionInstance, exit: InstanceExit) => void;
  readonly onReady: (instance: FunctionInstance) => void;
}

const STOP_GRACE_MS = 5_000;
/** The image's bundle loader (bin/eventyard.js uses it too): a cold start runs the very same code. */
const LOAD_BUNDLE = fileURLToPath(new URL('./load-bundle.cjs', import.meta.url));
const STDERR_TAIL_BYTES = 4096;

/** One process serving a function: what a pod with its queue-proxy is on a cluster. */
export class FunctionInstance {
  state: InstanceState = 'starting';
  inFlight = 0;
  readonly startedAt = performance.now();
  /** Milliseconds from spawn to ready. */
  coldStartMs: number | undefined;
  private readonly child: ChildProcess;
  private stopping = false;
  private forceKilled = false;
  private stderr = '';

  private constructor(
    readonly id: number,
    readonly port: number,
    options: InstanceOptions,
  ) {
    this.child = fork(LOAD_BUNDLE, [options.bundle], {
      cwd: options.cwd,
      // NODE_PATH: the bundle's unbundled packages resolve from eventyard's node_modules too.
      env: { ...process.env, NODE_PATH: PACKAGE_NODE_MODULES, ...options.env, PORT: String(port) },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      serialization: 'json',
      // Not the runtime's own flags (a TypeScript loader, a profiler): the bundle is plain JS.
      execArgv: [],
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    this.child.on('message', (message: ReadyMessage) => {
      if (message?.type !== 'eventyard:ready' || this.state !== 'starting') return;
      this.coldStartMs = performance.now() - this.startedAt;
      this.state = 'ready';
      options.onReady(this);
    });
    this.child.once('exit', (code, signal) => {
      const wasReady = this.coldStartMs !== undefined;
      this.state = 'gone';
      // A SIGKILL we did not send is a crash even while stopping: the process was already dying.
      const expected = this.stopping && (signal !== 'SIGKILL' || this.forceKilled);
      options.onExit(this, { expected, wasReady, code, signal, stderrTail: this.stderr.trim() });
    });
  }

  static async start(options: InstanceOptions): Promise<FunctionInstance> {
    return new FunctionInstance(options.id, await freePort(), options);
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** SIGTERM (faas-js-runtime runs the function's shutdown), SIGKILL if it lingers. */
  stop(): Promise<void> {
    if (this.state === 'gone') return Promise.resolve();
    this.stopping = true;
    this.state = 'draining';
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.forceKilled = true;
      this.child.kill('SIGKILL');
    }, STOP_GRACE_MS);
    return exited.finally(() => clearTimeout(timer));
  }

  /** Kills the process at once, as a crash would (tests and faults). */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

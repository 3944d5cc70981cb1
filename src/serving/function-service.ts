import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent } from 'undici';
import type { Logger } from '../observability/logger.js';
import { backoffAfterFailures } from '../runtime/retry-backoff.js';
import { ConcurrencyMeter } from './concurrency-meter.js';
import { FunctionInstance, type InstanceExit } from './instance.js';
import { Kpa, type AutoscalerConfig } from './kpa.js';
import type { ScaleSettings } from './scale-settings.js';

/** What one local Knative Service runs and how it scales. */
export interface FunctionServiceSpec {
  readonly namespace: string;
  readonly name: string;
  readonly bundle: string;
  readonly projectDir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly containerConcurrency: number;
  readonly timeoutMs: number;
  readonly scale: ScaleSettings;
}

/** The dashboard's view of a Service, as it changes. */
export interface ServiceStats {
  readonly namespace: string;
  readonly name: string;
  readonly instances: { readonly starting: number; readonly ready: number; readonly draining: number };
  readonly desired: number;
  readonly panicking: boolean;
  readonly inFlight: number;
  readonly queued: number;
  readonly requests: number;
  readonly coldStarts: number;
  readonly lastColdStartMs: number | undefined;
  readonly crashes: number;
  readonly minScale: number;
  readonly maxScale: number;
  readonly containerConcurrency: number;
  readonly target: number;
}

interface Waiter {
  readonly grant: (instance: FunctionInstance) => void;
  readonly refuse: (status: number, reason: string) => void;
}

/** Requests waiting at zero beyond this are refused with 503, as the activator's breaker does. */
const MAX_QUEUED = 10_000;
const CHANGE_COALESCE_MS = 100;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host']);

/**
 * A Knative Service run locally: the activator (holds requests while no instance has room, starts
 * instances from zero), the load balancer (least requests in flight, never above
 * containerConcurrency) and the KPA loop that scales instances between min- and max-scale.
 */
export class FunctionService extends EventEmitter<{ change: [] }> {
  private readonly instances = new Set<FunctionInstance>();
  private readonly queue: Waiter[] = [];
  private readonly meter: ConcurrencyMeter;
  private readonly kpa: Kpa;
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connections: 256 });
  private readonly ticker: NodeJS.Timeout;
  private readonly log: Logger;
  private nextId = 1;
  private desired = 0;
  private panicking = false;
  private startFailures = 0;
  private restartAt = 0;
  private changeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private requests = 0;
  private coldStarts = 0;
  private lastColdStartMs: number | undefined;
  private crashes = 0;

  constructor(
    readonly spec: FunctionServiceSpec,
    config: AutoscalerConfig,
    logger: Logger,
  ) {
    super();
    this.log = logger.child({ service: `${spec.namespace}/${spec.name}` });
    this.kpa = new Kpa(spec.scale, config);
    this.meter = new ConcurrencyMeter(performance.now(), this.kpa.stableWindowMs);
    this.ticker = setInterval(() => this.tick(), config.tickMs).unref();
    this.scaleTo(this.kpa.atStart());
  }

  /** Proxies one HTTP request to an instance, holding it while none has room. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): void {
    this.requests++;
    this.meter.start(performance.now());
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.meter.end(performance.now());
      this.changed();
    };
    const dequeue = () => {
      clearTimeout(timer);
      const i = this.queue.indexOf(waiter);
      if (i !== -1) this.queue.splice(i, 1);
    };
    // A caller that gives up while its request is held no longer waits for an instance.
    res.once('close', () => {
      dequeue();
      finish();
    });
    const timer = setTimeout(() => refuse(503, `no instance of ${this.spec.name} had room within ${this.spec.timeoutMs} ms`), this.spec.timeoutMs);
    const refuse = (status: number, reason: string) => {
      dequeue();
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${reason}\n`);
      finish();
    };
    const waiter: Waiter = {
      grant: (instance) => {
        clearTimeout(timer);
        this.forward(instance, req, res, path, () => this.admit(waiter));
      },
      refuse,
    };
    this.admit(waiter);
  }

  /** Gives the request an instance with room now, or holds it (starting one when there are none). */
  private admit(waiter: Waiter): void {
    const instance = this.pick();
    if (instance) return waiter.grant(this.claim(instance));
    if (this.queue.length >= MAX_QUEUED) return waiter.refuse(503, `${this.spec.name} has ${MAX_QUEUED} requests waiting already`);
    this.queue.push(waiter);
    if (this.alive === 0) {
      this.log.info({ queued: this.queue.length }, 'scaling from zero: request held by the activator');
      this.scaleTo(this.kpa.activation());
    }
    this.changed();
  }

  stats(): ServiceStats {
    const count = (state: string) => [...this.instances].filter((i) => i.state === state).length;
    const { scale } = this.spec;
    return {
      namespace: this.spec.namespace,
      name: this.spec.name,
      instances: { starting: count('starting'), ready: count('ready'), draining: count('draining') },
      desired: this.desired,
      panicking: this.panicking,
      inFlight: [...this.instances].reduce((n, i) => n + i.inFlight, 0),
      queued: this.queue.length,
      requests: this.requests,
      coldStarts: this.coldStarts,
      lastColdStartMs: this.lastColdStartMs,
      crashes: this.crashes,
      minScale: scale.minScale,
      maxScale: scale.maxScale,
      containerConcurrency: this.spec.containerConcurrency,
      target: scale.targetValue,
    };
  }

  /** The instances serving now; tests use it to kill one. */
  get readyInstances(): FunctionInstance[] {
    return [...this.instances].filter((i) => i.state === 'ready');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.ticker);
    clearTimeout(this.changeTimer);
    for (const w of this.queue.splice(0)) w.refuse(503, 'the local runtime is stopping');
    await Promise.all([...this.instances].map((i) => i.stop()));
    await this.agent.close();
  }

  private get alive(): number {
    return [...this.instances].filter((i) => i.state === 'starting' || i.state === 'ready').length;
  }

  private tick(): void {
    const now = performance.now();
    this.meter.sample(now);
    const ready = this.readyInstances.length;
    const decision = this.kpa.decide(now, this.meter, this.alive, ready);
    if (decision.panicking !== this.panicking) {
      this.panicking = decision.panicking;
      this.log.info({ panicking: this.panicking }, this.panicking ? 'autoscaler entered panic mode' : 'autoscaler left panic mode');
    }
    this.scaleTo(decision.desired);
  }

  private scaleTo(desired: number): void {
    if (this.stopped) return;
    if (desired !== this.desired) {
      this.log.info({ from: this.desired, to: desired }, desired === 0 ? 'scaled to zero' : `scaling to ${desired}`);
      this.desired = desired;
      this.changed();
    }
    let alive = this.alive;
    if (alive < desired && performance.now() < this.restartAt) return; // backing off after failed starts
    for (; alive < desired; alive++) void this.startInstance();
    if (alive > desired) {
      // Drain the least busy; a draining instance finishes what it holds, then stops.
      const victims = [...this.instances]
        .filter((i) => i.state === 'starting' || i.state === 'ready')
        .sort((a, b) => a.inFlight - b.inFlight)
        .slice(0, alive - desired);
      for (const v of victims) {
        v.state = 'draining';
        if (v.inFlight === 0) void v.stop();
      }
      this.changed();
    }
  }

  private async startInstance(): Promise<void> {
    const { spec } = this;
    const id = this.nextId++;
    const instance = await FunctionInstance.start({
      id,
      bundle: spec.bundle,
      cwd: spec.projectDir,
      env: {
        ...spec.env,
        K_SERVICE: spec.name,
        K_CONFIGURATION: spec.name,
        K_REVISION: `${spec.name}-00001`,
        FUNC_LOG_LEVEL: process.env.FUNC_LOG_LEVEL ?? 'warn',
      },
      onReady: (i) => this.onReady(i),
      onExit: (i, exit) => this.onExit(i, exit),
    });
    this.instances.add(instance);
    if (this.stopped) void instance.stop();
    this.changed();
  }

  private onReady(instance: FunctionInstance): void {
    this.startFailures = 0;
    this.coldStarts++;
    this.lastColdStartMs = instance.coldStartMs;
    this.log.info({ instance: instance.id, pid: instance.pid, coldStartMs: Math.round(instance.coldStartMs!) }, 'instance ready');
    this.dispatch();
    this.changed();
  }

  private onExit(instance: FunctionInstance, exit: InstanceExit): void {
    this.instances.delete(instance);
    this.changed();
    if (exit.expected || this.stopped) {
      this.log.info({ instance: instance.id }, 'instance stopped');
      return;
    }
    const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
    if (exit.wasReady) {
      this.crashes++;
      this.log.error({ instance: instance.id, inFlight: instance.inFlight, stderr: exit.stderrTail }, `instance crashed (${how}); its requests in flight fail and are retried by delivery; replacing it`);
    } else {
      this.startFailures++;
      const backoff = backoffAfterFailures(this.startFailures);
      this.restartAt = performance.now() + backoff;
      this.log.error({ instance: instance.id, stderr: exit.stderrTail, retryInMs: backoff }, `function failed to start (${how})`);
      if (this.alive === 0) {
        for (const w of this.queue.splice(0)) w.refuse(503, `function ${this.spec.name} failed to start (${how}): ${exit.stderrTail.split('\n').slice(-3).join(' | ')}`);
      }
      setTimeout(() => this.scaleTo(Math.max(this.desired, this.queue.length > 0 ? 1 : 0)), backoff).unref();
      return;
    }
    this.scaleTo(Math.max(this.desired, this.queue.length > 0 ? 1 : 0));
  }

  /** The ready instance with the fewest requests in flight that still has room. */
  private pick(): FunctionInstance | undefined {
    const limit = this.spec.containerConcurrency;
    let best: FunctionInstance | undefined;
    for (const i of this.instances) {
      if (i.state !== 'ready' || (limit > 0 && i.inFlight >= limit)) continue;
      if (!best || i.inFlight < best.inFlight) best = i;
    }
    return best;
  }

  private claim(instance: FunctionInstance): FunctionInstance {
    instance.inFlight++;
    return instance;
  }

  private release(instance: FunctionInstance): void {
    instance.inFlight--;
    if (instance.state === 'draining' && instance.inFlight === 0) void instance.stop();
    this.dispatch();
  }

  /** Hands waiting requests to instances with room, oldest first. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      const instance = this.pick();
      if (!instance) return;
      this.queue.shift()!.grant(this.claim(instance));
    }
  }

  /**
   * Proxies to the instance. A refused connection means it died before its exit was seen: the
   * request, not yet sent, goes to another instance, as the activator retries a failed dial.
   */
  private forward(instance: FunctionInstance, req: IncomingMessage, res: ServerResponse, path: string, redirect: () => void): void {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    const released = { done: false };
    const release = () => {
      if (released.done) return;
      released.done = true;
      this.release(instance);
    };
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    this.agent
      .request({ origin: instance.origin, path, method: req.method as 'POST', headers, body: hasBody ? req : undefined, headersTimeout: this.spec.timeoutMs, bodyTimeout: this.spec.timeoutMs })
      .then((response) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(response.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        res.writeHead(response.statusCode, out);
        response.body.on('error', () => res.destroy());
        response.body.on('end', release);
        response.body.pipe(res);
      })
      .catch((err: Error & { code?: string }) => {
        // The instance is gone or broken (its exit may not have been seen yet): no new request
        // goes to it, or a quick retry would reuse a dead connection to it.
        if (instance.state === 'ready') instance.state = 'draining';
        release();
        if (err.code === 'ECONNREFUSED' && !res.headersSent && !res.destroyed) return redirect();
        // The instance went away mid-request (a crash): the delivery that sent it retries.
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' }).end(`instance ${instance.id} of ${this.spec.name} failed: ${err.message}\n`);
        else res.destroy();
      });
    res.once('close', release);
  }

  /** Coalesces change notifications, so a busy Service does not flood the dashboard. */
  private changed(): void {
    if (this.changeTimer || this.stopped) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      this.emit('change');
    }, CHANGE_COALESCE_MS).unref();
  }
}

import type { ConcurrencyMeter } from './concurrency-meter.js';
import type { ScaleSettings } from './scale-settings.js';

/** The cluster-wide autoscaler settings (Serving's config-autoscaler); the local runtime may shorten them. */
export interface AutoscalerConfig {
  readonly stableWindowMs: number;
  readonly scaleToZeroGraceMs: number;
  readonly tickMs: number;
  readonly maxScaleUpRate: number;
  readonly maxScaleDownRate: number;
}

export const KNATIVE_AUTOSCALER_DEFAULTS: AutoscalerConfig = {
  stableWindowMs: 60_000,
  scaleToZeroGraceMs: 30_000,
  tickMs: 2_000,
  maxScaleUpRate: 1000,
  maxScaleDownRate: 2,
};

export interface Decision {
  readonly desired: number;
  readonly panicking: boolean;
}

/**
 * Knative's Pod Autoscaler, one decision per tick (knative-spec §7.3-8; Serving
 * pkg/autoscaler/scaling/autoscaler.go and the KPA reconciler's bounds and scale-to-zero).
 */
export class Kpa {
  readonly stableWindowMs: number;
  readonly panicWindowMs: number;
  private panicSince: number | undefined;
  private maxPanic = 0;
  private recent: { at: number; desired: number }[] = [];
  private zeroSince: number | undefined;

  constructor(
    private readonly settings: ScaleSettings,
    private readonly config: AutoscalerConfig,
  ) {
    this.stableWindowMs = settings.stableWindowMs ?? config.stableWindowMs;
    this.panicWindowMs = Math.max(1, this.stableWindowMs * settings.panicWindowFraction);
  }

  /** How many instances the Service should have now, given those alive and those ready. */
  decide(now: number, meter: ConcurrencyMeter, alive: number, ready: number): Decision {
    const { settings, config } = this;
    const stable = meter.average(now, this.stableWindowMs);
    const panic = meter.average(now, this.panicWindowMs);
    if (!stable || !panic) return { desired: this.bounded(alive, alive), panicking: false };
    const observe = settings.metric === 'rps' ? (o: typeof stable) => o.rps : (o: typeof stable) => o.concurrency;

    const readyCount = Math.max(1, ready);
    const maxUp = Math.ceil(config.maxScaleUpRate * readyCount);
    const maxDown = Math.floor(readyCount / config.maxScaleDownRate);
    const wantStable = Math.ceil(observe(stable) / settings.targetValue);
    const wantPanic = Math.ceil(observe(panic) / settings.targetValue);
    // Any traffic at all asks for at least activation-scale instances (autoscaler.go), not only from zero.
    const clamp = (n: number) => {
      const m = Math.min(Math.max(n, maxDown), maxUp);
      return n > 0 && settings.activationScale > 1 ? Math.max(m, settings.activationScale) : m;
    };

    if (wantPanic / readyCount >= settings.panicThreshold) this.panicSince = now;
    else if (this.panicSince !== undefined && now - this.panicSince >= this.stableWindowMs) {
      this.panicSince = undefined;
      this.maxPanic = 0;
    }
    let desired = clamp(wantStable);
    if (this.panicSince !== undefined) {
      // While panicking the autoscaler never scales down (kpa-specific.md).
      desired = Math.max(desired, clamp(wantPanic), this.maxPanic);
      this.maxPanic = desired;
    }
    if (settings.scaleDownDelayMs > 0) desired = this.delayed(now, desired);
    return { desired: this.bounded(desired, alive, now), panicking: this.panicSince !== undefined };
  }

  /**
   * Instances when the local runtime starts: min-scale. Every Service starts cold, as if its revision
   * had long been idle; initial-scale applies to a new revision on a cluster (see the README).
   */
  atStart(): number {
    return this.bounded(this.settings.minScale, 0);
  }

  /** A request met no instance: start the activation scale at once, without waiting for a tick. */
  activation(): number {
    return this.bounded(Math.max(1, this.settings.activationScale), 0);
  }

  /** scale-down-delay: the highest recommendation of the delay window wins. */
  private delayed(now: number, desired: number): number {
    this.recent.push({ at: now, desired });
    while (this.recent.length > 0 && this.recent[0]!.at <= now - this.settings.scaleDownDelayMs) this.recent.shift();
    return Math.max(...this.recent.map((r) => r.desired));
  }

  /** min/max-scale and scale to zero, which keeps the last instance for the grace period. */
  private bounded(desired: number, alive: number, now?: number): number {
    const { minScale, maxScale, activationScale, retentionMs } = this.settings;
    let n = Math.max(desired, minScale);
    if (alive === 0 && n > 0) n = Math.max(n, activationScale);
    if (maxScale > 0) n = Math.min(n, maxScale);
    if (n > 0 || now === undefined) {
      this.zeroSince = undefined;
      return n;
    }
    this.zeroSince ??= now;
    const linger = Math.max(this.config.scaleToZeroGraceMs, retentionMs);
    return alive > 0 && now - this.zeroSince < linger ? 1 : 0;
  }
}

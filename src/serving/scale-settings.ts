import { parseGoDuration } from '../manifests/duration.js';
import { ProblemList } from '../manifests/problems.js';

/**
 * A Service's autoscaling, from the `autoscaling.knative.dev/*` annotations of its revision template
 * (knative-spec §7; Serving pkg/apis/autoscaling). Durations that the global config supplies when
 * no annotation sets them stay undefined here: the autoscaler fills them in.
 */
export interface ScaleSettings {
  readonly minScale: number;
  /** 0 is unlimited. */
  readonly maxScale: number;
  /** Instances started when scaling up from zero. */
  readonly activationScale: number;
  readonly metric: 'concurrency' | 'rps';
  /** Per-instance target actually aimed for: target × utilization (ResolveMetricTarget). */
  readonly targetValue: number;
  readonly stableWindowMs?: number;
  /** Panic window as a fraction of the stable window. */
  readonly panicWindowFraction: number;
  /** Panic when the panic-window demand reaches this multiple of the ready instances. */
  readonly panicThreshold: number;
  readonly scaleDownDelayMs: number;
  readonly retentionMs: number;
}

export const AUTOSCALING = 'autoscaling.knative.dev/';

/** Knative Serving's global defaults (config-autoscaler, config-defaults). */
const DEFAULTS = {
  concurrencyTarget: 100,
  rpsTarget: 200,
  utilizationPercent: 70,
  panicWindowPercent: 10,
  panicThresholdPercent: 200,
};
const HOUR_MS = 3_600_000;

/** Reads and range-checks the annotations as Serving's webhook does; undefined after any error. */
export function readScaleSettings(
  annotations: Readonly<Record<string, string>>,
  containerConcurrency: number,
  problems: ProblemList,
  field: string,
): ScaleSettings | undefined {
  const before = problems.items.length;
  // Legacy camelCase keys are still honoured, with lower priority (register.go KeyPriority).
  const value = (key: string, legacy?: string): [string, string] | undefined => {
    for (const k of [key, legacy]) {
      if (k !== undefined && annotations[AUTOSCALING + k] !== undefined) return [AUTOSCALING + k, annotations[AUTOSCALING + k]!];
    }
    return undefined;
  };
  const fieldOf = (key: string) => `${field}.${key}`;
  const number = (key: string, legacy: string | undefined, check: (n: number) => boolean, help: string, integer: boolean): number | undefined => {
    const entry = value(key, legacy);
    if (!entry) return undefined;
    const n = Number(entry[1]);
    // Integers as Go's strconv.ParseInt reads them (no "1.0", "1e3" or spaces), within int32.
    const badInteger = integer && (!/^[+-]?\d+$/.test(entry[1]) || n > 2_147_483_647);
    if (entry[1].trim() === '' || !Number.isFinite(n) || badInteger || !check(n)) {
      problems.error(fieldOf(entry[0]), `"${entry[1]}" is invalid: ${help}`);
      return undefined;
    }
    return n;
  };
  const duration = (key: string, legacy: string | undefined, min: number, max: number, help: string, wholeSeconds = false): number | undefined => {
    const entry = value(key, legacy);
    if (!entry) return undefined;
    const ms = parseGoDuration(entry[1]);
    if (ms === undefined || ms < min || ms > max || (wholeSeconds && ms % 1000 !== 0)) {
      problems.error(fieldOf(entry[0]), `"${entry[1]}" is invalid: ${help}`);
      return undefined;
    }
    return ms;
  };

  const cls = value('class');
  if (cls && cls[1] !== 'kpa.autoscaling.knative.dev') {
    const known = cls[1] === 'hpa.autoscaling.knative.dev';
    if (known) problems.warn(fieldOf(cls[0]), 'the HPA class scales on CPU or memory and never to zero; the local runtime scales it as KPA on concurrency');
    else problems.error(fieldOf(cls[0]), `"${cls[1]}" is not an autoscaler class Knative knows (kpa.autoscaling.knative.dev, hpa.autoscaling.knative.dev)`);
  }
  const metricEntry = value('metric');
  let metric: 'concurrency' | 'rps' = 'concurrency';
  if (metricEntry) {
    if (metricEntry[1] === 'concurrency' || metricEntry[1] === 'rps') metric = metricEntry[1];
    else if (metricEntry[1] === 'cpu' || metricEntry[1] === 'memory') problems.warn(fieldOf(metricEntry[0]), `metric ${metricEntry[1]} needs the HPA class; the local runtime scales on concurrency`);
    else problems.error(fieldOf(metricEntry[0]), `"${metricEntry[1]}" is not one of: concurrency, rps (KPA), cpu, memory (HPA)`);
  }

  const minScale = number('min-scale', 'minScale', (n) => n >= 0, 'an integer ≥ 0', true) ?? 0;
  const maxScale = number('max-scale', 'maxScale', (n) => n >= 0, 'an integer ≥ 0 (0 is unlimited)', true) ?? 0;
  if (maxScale > 0 && minScale > maxScale) {
    problems.error(fieldOf(`${AUTOSCALING}min-scale`), `min-scale ${minScale} is above max-scale ${maxScale}`);
  }
  // Serving's webhook: activation-scale ≥ 2 and min-scale ≤ activation-scale ≤ max-scale (when max-scale is set).
  const activationScale = number('activation-scale', undefined, (n) => n >= 2, 'an integer ≥ 2', true) ?? 1;
  if (activationScale > 1 && minScale > activationScale) {
    problems.error(fieldOf(`${AUTOSCALING}activation-scale`), `min-scale ${minScale} is above activation-scale ${activationScale}`);
  } else if (activationScale > 1 && maxScale > 0 && activationScale > maxScale) {
    problems.error(fieldOf(`${AUTOSCALING}activation-scale`), `activation-scale ${activationScale} is above max-scale ${maxScale}`);
  }
  number('initial-scale', 'initialScale', (n) => n >= 0, 'an integer ≥ 0', true); // checked; see README on initial scale
  const target = number('target', undefined, (n) => n >= 0.01, 'a number ≥ 0.01', false);
  number('target-burst-capacity', 'targetBurstCapacity', (n) => n === -1 || n >= 0, '-1, 0 or a positive number', false); // checked; the local activator is always in the path
  const utilization = number('target-utilization-percentage', 'targetUtilizationPercentage', (n) => n >= 1 && n <= 100, 'a percentage from 1 to 100', false) ?? DEFAULTS.utilizationPercent;
  const stableWindowMs = duration('window', undefined, 6000, HOUR_MS, 'a duration from 6s to 1h in whole seconds, such as 60s', true);
  const panicWindowPercent = number('panic-window-percentage', 'panicWindowPercentage', (n) => n >= 1 && n <= 100, 'a percentage from 1 to 100', false) ?? DEFAULTS.panicWindowPercent;
  const panicThresholdPercent = number('panic-threshold-percentage', 'panicThresholdPercentage', (n) => n >= 110 && n <= 1000, 'a percentage from 110 to 1000', false) ?? DEFAULTS.panicThresholdPercent;
  const scaleDownDelayMs = duration('scale-down-delay', 'scaleDownDelay', 0, HOUR_MS, 'a duration from 0s to 1h in whole seconds', true) ?? 0;
  const retentionMs = duration('scale-to-zero-pod-retention-period', 'scaleToZeroPodRetentionPeriod', 0, HOUR_MS, 'a duration from 0s to 1h') ?? 0;
  if (problems.items.slice(before).some((p) => p.severity === 'error')) return undefined;

  // ResolveMetricTarget: containerConcurrency caps a concurrency target.
  let total = metric === 'rps' ? (target ?? DEFAULTS.rpsTarget) : containerConcurrency > 0 ? containerConcurrency : DEFAULTS.concurrencyTarget;
  if (metric === 'concurrency' && target !== undefined) total = containerConcurrency > 0 ? Math.min(target, containerConcurrency) : target;
  return {
    minScale,
    maxScale,
    activationScale,
    metric,
    targetValue: Math.max(0.01, (total * utilization) / 100),
    stableWindowMs,
    panicWindowFraction: panicWindowPercent / 100,
    panicThreshold: panicThresholdPercent / 100,
    scaleDownDelayMs,
    retentionMs,
  };
}

/** A Service without annotations: Knative's defaults. */
export const DEFAULT_SCALE_SETTINGS: ScaleSettings = readScaleSettings({}, 0, new ProblemList({ file: '', document: 0 }), '')!;

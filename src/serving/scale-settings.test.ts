// The autoscaling annotations of a Service's revision template, checked against Serving's
// webhook (pkg/apis/autoscaling/annotation_validation_test.go) and target resolution
// (pkg/reconciler/autoscaling/resources/target_test.go). Table cases are ported as data; where
// Serving's tests change the cluster config (e.g. container-concurrency-target-percentage), the
// equivalent annotation is used, since the local runtime runs with Serving's default config.
import { describe, expect, it } from 'vitest';
import { ProblemList, type Problem } from '../manifests/problems.js';
import { AUTOSCALING, DEFAULT_SCALE_SETTINGS, readScaleSettings, type ScaleSettings } from './scale-settings.js';

const FIELD = 'spec.template.metadata.annotations';

function read(annotations: Record<string, string>, containerConcurrency = 0): { settings: ScaleSettings | undefined; problems: Problem[] } {
  const problems = new ProblemList({ file: 'service.yaml', document: 1 });
  const settings = readScaleSettings(annotations, containerConcurrency, problems, FIELD);
  return { settings, problems: problems.items };
}

/** Annotations under their short names, e.g. `{ 'min-scale': '1' }`. */
function ann(short: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(short).map(([k, v]) => [AUTOSCALING + k, v]));
}

const errorsOf = (problems: Problem[]) => problems.filter((p) => p.severity === 'error').map((p) => p.field).sort();
const at = (key: string) => `${FIELD}.${AUTOSCALING}${key}`;

describe('target resolution (ResolveMetricTarget, default utilization 70 %)', () => {
  const cases: { name: string; cc?: number; annotations?: Record<string, string>; want: number; metric?: 'concurrency' | 'rps' }[] = [
    { name: 'defaults: containerConcurrency 0 and no target → 100 × 70 %', want: 70 },
    { name: 'containerConcurrency 10', cc: 10, want: 7 },
    { name: 'containerConcurrency 1', cc: 1, want: 0.7 },
    { name: 'containerConcurrency 12, utilization annotation 75', cc: 12, annotations: { 'target-utilization-percentage': '75' }, want: 9 },
    { name: 'containerConcurrency 10, utilization 80', cc: 10, annotations: { 'target-utilization-percentage': '80' }, want: 8 },
    { name: 'containerConcurrency 1, utilization 80', cc: 1, annotations: { 'target-utilization-percentage': '80' }, want: 0.8 },
    { name: 'containerConcurrency 1, utilization 100', cc: 1, annotations: { 'target-utilization-percentage': '100' }, want: 1 },
    { name: 'target 1', annotations: { target: '1' }, want: 0.7 },
    { name: 'target 1, utilization 75', annotations: { target: '1', 'target-utilization-percentage': '75' }, want: 0.75 },
    { name: 'target 10, utilization 75', annotations: { target: '10', 'target-utilization-percentage': '75' }, want: 7.5 },
    { name: 'target 0.5, utilization 1: never below 0.01 (TargetMin)', annotations: { target: '0.5', 'target-utilization-percentage': '1' }, want: 0.01 },
    { name: 'containerConcurrency above the target: the target', cc: 10, annotations: { target: '1' }, want: 0.7 },
    { name: 'target above the default is fine', annotations: { target: '500' }, want: 350 },
    { name: 'target above containerConcurrency is capped by it', cc: 1, annotations: { target: '10' }, want: 0.7 },
    { name: 'target above containerConcurrency 10 is capped by it', cc: 10, annotations: { target: '50', 'target-utilization-percentage': '100' }, want: 10 },
    { name: 'rps: default 200 × 70 %, containerConcurrency ignored', cc: 1, annotations: { metric: 'rps' }, want: 140, metric: 'rps' },
    { name: 'rps: target 1', annotations: { metric: 'rps', target: '1' }, want: 0.7, metric: 'rps' },
    { name: 'rps: utilization 75', annotations: { metric: 'rps', 'target-utilization-percentage': '75' }, want: 150, metric: 'rps' },
    { name: 'rps: target above the default', annotations: { metric: 'rps', target: '300' }, want: 210, metric: 'rps' },
    { name: 'rps: target above containerConcurrency is not capped', cc: 10, annotations: { metric: 'rps', target: '300' }, want: 210, metric: 'rps' },
    { name: 'metric concurrency named explicitly', cc: 10, annotations: { metric: 'concurrency' }, want: 7 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { settings, problems } = read(ann(c.annotations ?? {}), c.cc ?? 0);
      expect(problems).toEqual([]);
      expect(settings!.targetValue).toBeCloseTo(c.want, 10);
      expect(settings!.metric).toBe(c.metric ?? 'concurrency');
    });
  }
});

describe('defaults', () => {
  it('a Service without annotations gets Knative’s defaults', () => {
    expect(DEFAULT_SCALE_SETTINGS).toEqual({
      minScale: 0,
      maxScale: 0,
      activationScale: 1,
      metric: 'concurrency',
      targetValue: 70,
      stableWindowMs: undefined,
      panicWindowFraction: 0.1,
      panicThreshold: 2,
      scaleDownDelayMs: 0,
      retentionMs: 0,
    });
  });

  it('reads every setting it keeps', () => {
    const { settings, problems } = read(
      ann({
        'min-scale': '1',
        'max-scale': '8',
        'activation-scale': '3',
        window: '2m',
        'panic-window-percentage': '20',
        'panic-threshold-percentage': '150',
        'scale-down-delay': '15s',
        'scale-to-zero-pod-retention-period': '1m5s',
        'initial-scale': '2',
        'target-burst-capacity': '-1',
        class: 'kpa.autoscaling.knative.dev',
      }),
    );
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({
      minScale: 1,
      maxScale: 8,
      activationScale: 3,
      stableWindowMs: 120_000,
      panicWindowFraction: 0.2,
      panicThreshold: 1.5,
      scaleDownDelayMs: 15_000,
      retentionMs: 65_000,
    });
  });
});

describe('annotation validation (annotation_validation_test.go)', () => {
  // Each case: annotations (short keys) and the keys whose field must carry an error.
  const cases: { name: string; annotations: Record<string, string>; errors: string[] }[] = [
    { name: 'empty annotations', annotations: {}, errors: [] },
    { name: 'invalid class in the knative.dev domain', annotations: { class: 'unsupported.knative.dev' }, errors: ['class'] },
    { name: 'min-scale 0', annotations: { 'min-scale': '0' }, errors: [] },
    { name: 'max-scale 0', annotations: { 'max-scale': '0' }, errors: [] },
    { name: 'min-scale -1', annotations: { 'min-scale': '-1' }, errors: ['min-scale'] },
    { name: 'max-scale above int32', annotations: { 'max-scale': '2147483648' }, errors: ['max-scale'] },
    { name: 'max-scale -1', annotations: { 'max-scale': '-1' }, errors: ['max-scale'] },
    { name: 'min-scale foo', annotations: { 'min-scale': 'foo' }, errors: ['min-scale'] },
    { name: 'max-scale bar', annotations: { 'max-scale': 'bar' }, errors: ['max-scale'] },
    { name: 'max-scale and min-scale bar', annotations: { 'max-scale': 'bar', 'min-scale': 'bar' }, errors: ['max-scale', 'min-scale'] },
    { name: 'min-scale not an integer', annotations: { 'min-scale': '1.5' }, errors: ['min-scale'] },
    { name: 'min-scale in a float spelling ParseInt refuses', annotations: { 'min-scale': '1.0' }, errors: ['min-scale'] },
    { name: 'min-scale 5', annotations: { 'min-scale': '5' }, errors: [] },
    { name: 'max-scale 2', annotations: { 'max-scale': '2' }, errors: [] },
    { name: 'min-scale 2, max-scale 5', annotations: { 'min-scale': '2', 'max-scale': '5' }, errors: [] },
    { name: 'min-scale 5 above max-scale 2', annotations: { 'min-scale': '5', 'max-scale': '2' }, errors: ['min-scale'] },
    { name: 'min-scale 5 with max-scale 0 (unlimited)', annotations: { 'min-scale': '5', 'max-scale': '0' }, errors: [] },
    { name: 'min-scale, activation-scale, max-scale in order', annotations: { 'min-scale': '1', 'activation-scale': '2', 'max-scale': '3' }, errors: [] },
    { name: 'min-scale above activation-scale', annotations: { 'min-scale': '3', 'activation-scale': '2' }, errors: ['activation-scale'] },
    { name: 'max-scale below activation-scale', annotations: { 'max-scale': '1', 'activation-scale': '2' }, errors: ['activation-scale'] },
    { name: 'activation-scale 1 (must be greater than 1)', annotations: { 'activation-scale': '1' }, errors: ['activation-scale'] },
    { name: 'activation-scale not a number', annotations: { 'activation-scale': 'two' }, errors: ['activation-scale'] },
    { name: 'panic-window-percentage -1', annotations: { 'panic-window-percentage': '-1' }, errors: ['panic-window-percentage'] },
    { name: 'panic-window-percentage 202', annotations: { 'panic-window-percentage': '202' }, errors: ['panic-window-percentage'] },
    { name: 'panic-window-percentage fifty', annotations: { 'panic-window-percentage': 'fifty' }, errors: ['panic-window-percentage'] },
    { name: 'panic-window-percentage 1', annotations: { 'panic-window-percentage': '1' }, errors: [] },
    { name: 'panic-window-percentage 100', annotations: { 'panic-window-percentage': '100' }, errors: [] },
    { name: 'panic-threshold-percentage 210', annotations: { 'panic-threshold-percentage': '210' }, errors: [] },
    { name: 'panic-threshold-percentage 109', annotations: { 'panic-threshold-percentage': '109' }, errors: ['panic-threshold-percentage'] },
    { name: 'panic-threshold-percentage 10009', annotations: { 'panic-threshold-percentage': '10009' }, errors: ['panic-threshold-percentage'] },
    { name: 'panic-threshold-percentage fifty', annotations: { 'panic-threshold-percentage': 'fifty' }, errors: ['panic-threshold-percentage'] },
    { name: 'panic-threshold-percentage 110', annotations: { 'panic-threshold-percentage': '110' }, errors: [] },
    { name: 'panic-threshold-percentage 1000', annotations: { 'panic-threshold-percentage': '1000' }, errors: [] },
    { name: 'target -11', annotations: { target: '-11' }, errors: ['target'] },
    { name: 'target 0', annotations: { target: '0' }, errors: ['target'] },
    { name: 'target 0.009', annotations: { target: '0.009' }, errors: ['target'] },
    { name: 'target 0.01', annotations: { target: '0.01' }, errors: [] },
    { name: 'target "100}"', annotations: { target: '100}' }, errors: ['target'] },
    { name: 'target 11', annotations: { target: '11' }, errors: [] },
    { name: 'target-burst-capacity -11', annotations: { 'target-burst-capacity': '-11' }, errors: ['target-burst-capacity'] },
    { name: 'target-burst-capacity 0', annotations: { 'target-burst-capacity': '0' }, errors: [] },
    { name: 'target-burst-capacity 19870709', annotations: { 'target-burst-capacity': '19870709' }, errors: [] },
    { name: 'target-burst-capacity -1', annotations: { 'target-burst-capacity': '-1' }, errors: [] },
    { name: 'target-burst-capacity qarashen', annotations: { 'target-burst-capacity': 'qarashen' }, errors: ['target-burst-capacity'] },
    { name: 'target-utilization-percentage 0', annotations: { 'target-utilization-percentage': '0' }, errors: ['target-utilization-percentage'] },
    { name: 'target-utilization-percentage 101', annotations: { 'target-utilization-percentage': '101' }, errors: ['target-utilization-percentage'] },
    { name: 'target-utilization-percentage dghyak', annotations: { 'target-utilization-percentage': 'dghyak' }, errors: ['target-utilization-percentage'] },
    { name: 'window not a duration', annotations: { window: 'jerry-was-a-racecar-driver' }, errors: ['window'] },
    { name: 'window 1s too short', annotations: { window: '1s' }, errors: ['window'] },
    { name: 'window 365h too long', annotations: { window: '365h' }, errors: ['window'] },
    { name: 'window 1m9s82ms too precise', annotations: { window: '1m9s82ms' }, errors: ['window'] },
    { name: 'window 7s with class KPA', annotations: { window: '7s', class: 'kpa.autoscaling.knative.dev' }, errors: [] },
    { name: 'window 6s', annotations: { window: '6s' }, errors: [] },
    { name: 'window 1h', annotations: { window: '1h' }, errors: [] },
    { name: 'window 5999ms', annotations: { window: '5999ms' }, errors: ['window'] },
    { name: 'window 365h with class KPA', annotations: { window: '365h', class: 'kpa.autoscaling.knative.dev' }, errors: ['window'] },
    { name: 'scale-to-zero-pod-retention-period 0', annotations: { 'scale-to-zero-pod-retention-period': '0' }, errors: [] },
    { name: 'scale-to-zero-pod-retention-period 21m31s', annotations: { 'scale-to-zero-pod-retention-period': '21m31s' }, errors: [] },
    { name: 'scale-to-zero-pod-retention-period 311m', annotations: { 'scale-to-zero-pod-retention-period': '311m' }, errors: ['scale-to-zero-pod-retention-period'] },
    { name: 'scale-to-zero-pod-retention-period -42s', annotations: { 'scale-to-zero-pod-retention-period': '-42s' }, errors: ['scale-to-zero-pod-retention-period'] },
    {
      name: 'scale-to-zero-pod-retention-period in words',
      annotations: { 'scale-to-zero-pod-retention-period': 'twenty-two-minutes-and-five-seconds' },
      errors: ['scale-to-zero-pod-retention-period'],
    },
    { name: 'scale-down-delay 0', annotations: { 'scale-down-delay': '0' }, errors: [] },
    { name: 'scale-down-delay 21m31s', annotations: { 'scale-down-delay': '21m31s' }, errors: [] },
    { name: 'scale-down-delay 311m', annotations: { 'scale-down-delay': '311m' }, errors: ['scale-down-delay'] },
    { name: 'scale-down-delay 42.5s too precise', annotations: { 'scale-down-delay': '42.5s' }, errors: ['scale-down-delay'] },
    { name: 'scale-down-delay -42s', annotations: { 'scale-down-delay': '-42s' }, errors: ['scale-down-delay'] },
    { name: 'scale-down-delay in words', annotations: { 'scale-down-delay': 'twenty-two-minutes-and-five-seconds' }, errors: ['scale-down-delay'] },
    {
      name: 'all together now, fail',
      annotations: { 'panic-threshold-percentage': 'fifty', 'panic-window-percentage': '-11', 'min-scale': '-4', 'max-scale': 'never' },
      errors: ['max-scale', 'min-scale', 'panic-threshold-percentage', 'panic-window-percentage'],
    },
    {
      name: 'all together now, succeed',
      annotations: { 'panic-threshold-percentage': '125', 'panic-window-percentage': '75', 'min-scale': '5', 'max-scale': '8', window: '1984s' },
      errors: [],
    },
    { name: 'metric rps', annotations: { metric: 'rps' }, errors: [] },
    { name: 'metric concurrency', annotations: { metric: 'concurrency' }, errors: [] },
    { name: 'metric empty', annotations: { metric: '' }, errors: ['metric'] },
    { name: 'metric empty with class HPA', annotations: { metric: '', class: 'hpa.autoscaling.knative.dev' }, errors: ['metric'] },
    { name: 'metric cpu with class HPA', annotations: { metric: 'cpu', class: 'hpa.autoscaling.knative.dev' }, errors: [] },
    { name: 'initial-scale 2', annotations: { 'initial-scale': '2' }, errors: [] },
    { name: 'initial-scale -1', annotations: { 'initial-scale': '-1' }, errors: ['initial-scale'] },
    { name: 'initial-scale not a number', annotations: { 'initial-scale': 'invalid' }, errors: ['initial-scale'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { settings, problems } = read(ann(c.annotations));
      expect(errorsOf(problems)).toEqual(c.errors.map(at).sort());
      if (c.errors.length > 0) expect(settings).toBeUndefined();
      else expect(settings).toBeDefined();
    });
  }

  it('names the value and the allowed range in the message', () => {
    const { problems } = read(ann({ 'panic-threshold-percentage': '109', 'min-scale': '5', 'max-scale': '2' }));
    expect(problems.find((p) => p.field === at('panic-threshold-percentage'))!.message).toMatch(/"109".*110.*1000/);
    expect(problems.find((p) => p.field === at('min-scale'))!.message).toMatch(/5.*2/);
  });

  it('the HPA class is accepted with a warning (the local runtime scales it as KPA)', () => {
    const { settings, problems } = read(ann({ class: 'hpa.autoscaling.knative.dev', metric: 'cpu' }));
    expect(errorsOf(problems)).toEqual([]);
    expect(problems.map((p) => p.field).sort()).toEqual([at('class'), at('metric')]);
    expect(settings!.metric).toBe('concurrency');
  });

  it('a metric Knative has never heard of is an error', () => {
    expect(errorsOf(read(ann({ metric: 'latency' })).problems)).toEqual([at('metric')]);
  });
});

describe('legacy camelCase keys (register.go KeyPriority)', () => {
  it('honours minScale, maxScale and initialScale', () => {
    const { settings, problems } = read(ann({ minScale: '2', maxScale: '4', initialScale: '3' }));
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({ minScale: 2, maxScale: 4 });
  });

  it('the hyphenated key wins over the legacy one', () => {
    const { settings, problems } = read(ann({ 'min-scale': '1', minScale: '3', 'max-scale': '5', maxScale: '2' }));
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({ minScale: 1, maxScale: 5 });
  });

  it('a legacy key that loses is not even checked', () => {
    const { settings, problems } = read(ann({ 'min-scale': '1', minScale: 'nonsense' }));
    expect(problems).toEqual([]);
    expect(settings!.minScale).toBe(1);
  });

  it('reports an error at the legacy key it read', () => {
    const { problems } = read(ann({ minScale: '-1', maxScale: 'lots' }));
    expect(errorsOf(problems)).toEqual([at('maxScale'), at('minScale')]);
  });

  it('min-scale above max-scale counts legacy keys too', () => {
    expect(errorsOf(read(ann({ minScale: '5', maxScale: '2' })).problems)).toHaveLength(1);
  });

  it('honours the other legacy spellings Serving still reads', () => {
    const { settings, problems } = read(
      ann({
        panicWindowPercentage: '20',
        panicThresholdPercentage: '300',
        scaleDownDelay: '30s',
        scaleToZeroPodRetentionPeriod: '2m',
        targetUtilizationPercentage: '50',
        targetBurstCapacity: '0',
      }),
    );
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({ panicWindowFraction: 0.2, panicThreshold: 3, scaleDownDelayMs: 30_000, retentionMs: 120_000, targetValue: 50 });
  });

  it('checks the legacy spellings like the hyphenated ones', () => {
    const { problems } = read(ann({ panicThresholdPercentage: '100', scaleToZeroPodRetentionPeriod: '2h', targetBurstCapacity: '-2' }));
    expect(errorsOf(problems)).toEqual([at('panicThresholdPercentage'), at('scaleToZeroPodRetentionPeriod'), at('targetBurstCapacity')]);
  });

  it('activation-scale has no legacy spelling', () => {
    const { settings, problems } = read(ann({ activationScale: 'x' }));
    expect(problems).toEqual([]);
    expect(settings).toEqual(DEFAULT_SCALE_SETTINGS);
  });
});

describe('durations', () => {
  it('reads Go durations', () => {
    const { settings } = read(ann({ window: '1m30s', 'scale-down-delay': '1h', 'scale-to-zero-pod-retention-period': '500ms' }));
    expect(settings).toMatchObject({ stableWindowMs: 90_000, scaleDownDelayMs: 3_600_000, retentionMs: 500 });
  });

  it('leaves the stable window to the global config when no annotation sets it', () => {
    expect(read({}).settings!.stableWindowMs).toBeUndefined();
  });
});

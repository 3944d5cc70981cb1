// Knative's Pod Autoscaler, run on real ConcurrencyMeter histories with explicit times.
// The first block ports the decider table cases of Serving pkg/autoscaler/scaling/autoscaler_test.go
// (same targets, ready counts, stable/panic averages and expected pod counts); the rest checks the
// KPA reconciler's part (pkg/reconciler/autoscaling/kpa/scaler.go: bounds, scale to zero) and the
// runtime defaults of knative-spec §7.
import { describe, expect, it } from 'vitest';
import { ConcurrencyMeter } from './concurrency-meter.js';
import { KNATIVE_AUTOSCALER_DEFAULTS, Kpa, type AutoscalerConfig } from './kpa.js';
import type { ScaleSettings } from './scale-settings.js';

const TICK = 2000;
const STABLE = 60_000;
const PANIC = 6000;

function settings(overrides: Partial<ScaleSettings> = {}): ScaleSettings {
  return {
    minScale: 0,
    maxScale: 0,
    activationScale: 1,
    metric: 'concurrency',
    targetValue: 1,
    panicWindowFraction: 0.1,
    panicThreshold: 2,
    scaleDownDelayMs: 0,
    retentionMs: 0,
    ...overrides,
  };
}

interface Event {
  readonly at: number;
  readonly run: (meter: ConcurrencyMeter) => void;
}

/** A real meter fed `events`, sampled every tick over the stable window that ends at `now`. */
function meterOf(now: number, events: Event[]): ConcurrencyMeter {
  const start = now - STABLE;
  const meter = new ConcurrencyMeter(start, STABLE);
  const all = [...events];
  for (let t = start + TICK; t <= now; t += TICK) all.push({ at: t, run: (m) => m.sample(t) });
  all.sort((a, b) => a.at - b.at); // stable: requests at a tick time go before the sample
  for (const e of all) e.run(meter);
  return meter;
}

/** `level` requests in flight from `from` to `to`. */
function hold(level: number, from: number, to: number): Event[] {
  if (level === 0 || to === from) return [];
  return [
    { at: from, run: (m) => Array.from({ length: level }, () => m.start(from)) },
    { at: to, run: (m) => Array.from({ length: level }, () => m.end(to)) },
  ];
}

/** Exactly `busy` request·ms inside [from, from + span]: n requests for busy/n ms, n a divisor. */
function busyFor(busy: number, from: number, span: number): Event[] {
  if (busy === 0) return [];
  let n = Math.ceil(busy / span);
  while (busy % n !== 0) n++;
  return hold(n, from, from + busy / n);
}

/**
 * A meter whose averages at `now` are exactly `stable` over the 60 s stable window and `panic` over
 * the 6 s panic window, as Knative's tests set them on a fake metric client.
 */
function concurrency(now: number, avg: { stable: number; panic: number }): ConcurrencyMeter {
  const panicBusy = Math.round(avg.panic * PANIC);
  const restBusy = Math.round(avg.stable * STABLE) - panicBusy;
  if (restBusy < 0) throw new Error('panic average too high for the stable one');
  const meter = meterOf(now, [...busyFor(restBusy, now - STABLE, STABLE - PANIC), ...busyFor(panicBusy, now - PANIC, PANIC)]);
  expect(meter.average(now, STABLE)!.concurrency).toBeCloseTo(avg.stable, 9);
  expect(meter.average(now, PANIC)!.concurrency).toBeCloseTo(avg.panic, 9);
  return meter;
}

/** The same for requests per second (arrivals of requests that take no time). */
function rps(now: number, avg: { stable: number; panic: number }): ConcurrencyMeter {
  const inPanic = Math.round(avg.panic * (PANIC / 1000));
  const before = Math.round(avg.stable * (STABLE / 1000)) - inPanic;
  const arrive = (count: number, at: number): Event => ({
    at,
    run: (m) => {
      for (let i = 0; i < count; i++) {
        m.start(at);
        m.end(at);
      }
    },
  });
  const meter = meterOf(now, [arrive(before, now - STABLE + 1), arrive(inPanic, now - PANIC + 1)]);
  expect(meter.average(now, STABLE)!.rps).toBeCloseTo(avg.stable, 9);
  expect(meter.average(now, PANIC)!.rps).toBeCloseTo(avg.panic, 9);
  return meter;
}

// Serving's unit tests run the decider with max scale up/down rates of 10 and a 60 s stable window.
// A grace period of 0 shows the decider's own answer where it says 0 (the reconciler's grace is
// tested further down).
const DECIDER: AutoscalerConfig = { stableWindowMs: STABLE, scaleToZeroGraceMs: 0, tickMs: TICK, maxScaleUpRate: 10, maxScaleDownRate: 10 };
const T = 1_000_000;

describe('Kpa: Serving autoscaler_test.go decider cases', () => {
  it('stable mode increase, concurrency (target 10)', () => {
    const kpa = new Kpa(settings({ targetValue: 10 }), DECIDER);
    expect(kpa.decide(T, concurrency(T, { stable: 50, panic: 10 }), 1, 1)).toEqual({ desired: 5, panicking: false });
    expect(kpa.decide(T + TICK, concurrency(T + TICK, { stable: 100, panic: 10 }), 5, 1)).toEqual({ desired: 10, panicking: false });
  });

  it('stable mode increase, rps (target 10)', () => {
    const kpa = new Kpa(settings({ targetValue: 10, metric: 'rps' }), DECIDER);
    expect(kpa.decide(T, rps(T, { stable: 50, panic: 50 }), 1, 1).desired).toBe(5);
    expect(kpa.decide(T + TICK, rps(T + TICK, { stable: 100, panic: 99 }), 5, 1).desired).toBe(10);
  });

  it('stable mode decrease (target 10, 8 ready)', () => {
    const kpa = new Kpa(settings({ targetValue: 10 }), DECIDER);
    expect(kpa.decide(T, concurrency(T, { stable: 100, panic: 100 }), 8, 8)).toEqual({ desired: 10, panicking: false });
    expect(kpa.decide(T + TICK, concurrency(T + TICK, { stable: 50, panic: 50 }), 8, 8)).toEqual({ desired: 5, panicking: false });
  });

  it('stable mode, no traffic: scale to zero', () => {
    const kpa = new Kpa(settings({ targetValue: 10 }), DECIDER);
    expect(kpa.decide(T, concurrency(T, { stable: 1, panic: 0 }), 1, 1).desired).toBe(1);
    expect(kpa.decide(T + TICK, concurrency(T + TICK, { stable: 0, panic: 0 }), 1, 1).desired).toBe(0);
  });

  it('activation scale: any traffic at all asks for at least activation-scale pods', () => {
    const kpa = new Kpa(settings({ targetValue: 10, activationScale: 2 }), DECIDER);
    expect(kpa.decide(T, concurrency(T, { stable: 0, panic: 0 }), 1, 1).desired).toBe(0);
    expect(kpa.decide(T + TICK, concurrency(T + TICK, { stable: 1, panic: 0 }), 1, 1).desired).toBe(2);
  });

  it('panic mode tracks exponential growth and stabilizes (target 1)', () => {
    const kpa = new Kpa(settings({ targetValue: 1 }), DECIDER);
    const steps: [at: number, ready: number, level: number, want: number][] = [
      [T - 1000, 1, 6, 6],
      [T, 6, 36, 36],
      [T + 1000, 36, 216, 216],
      [T + 1000, 216, 1296, 1296],
      [T + 2000, 1296, 1296, 1296],
    ];
    for (const [at, ready, level, want] of steps) {
      expect(kpa.decide(at, concurrency(at, { stable: level, panic: level }), ready, ready), `ready ${ready}`).toEqual({ desired: want, panicking: true });
    }
  });

  describe('TestAutoscalerScale table', () => {
    const cases: { label: string; target: number; ready: number; stable: number; panic: number; want: number; config?: Partial<AutoscalerConfig>; inPanic?: boolean }[] = [
      { label: 'stable mode, no change', target: 10, ready: 1, stable: 50, panic: 50, want: 5 },
      { label: 'panic, stable larger than panic: stable wins', target: 1, ready: 5, stable: 50, panic: 30, want: 50, inPanic: true },
      { label: 'panic, stable less than panic: panic wins', target: 1, ready: 5, stable: 20, panic: 30, want: 30, inPanic: true },
      { label: 'stable mode, already scaled', target: 10, ready: 5, stable: 50, panic: 50, want: 5 },
      { label: 'increase with small scale-up rate grows by at least one pod', target: 1, ready: 2, stable: 3, panic: 3.1, want: 3, config: { maxScaleUpRate: 1.1 } },
      { label: 'decrease with small scale-down rate', target: 10, ready: 100, stable: 1, panic: 1, want: 90, config: { maxScaleDownRate: 1.1 } },
      { label: 'panic mode doubles the pod count: panic value takes precedence', target: 10, ready: 1, stable: 50, panic: 100, want: 10 },
    ];
    for (const c of cases) {
      it(c.label, () => {
        const kpa = new Kpa(settings({ targetValue: c.target }), { ...DECIDER, ...c.config });
        if (c.inPanic) {
          // Panicking since 5 s ago, with 5 pods asked for (autoscaler.panicTime, maxPanicPods).
          expect(kpa.decide(T - 5000, concurrency(T - 5000, { stable: 5, panic: 5 }), 1, 1)).toEqual({ desired: 5, panicking: true });
        }
        expect(kpa.decide(T, concurrency(T, { stable: c.stable, panic: c.panic }), c.ready, c.ready).desired).toBe(c.want);
      });
    }
  });

  it('panic, then un-panic and scale down once a stable window has passed', () => {
    const kpa = new Kpa(settings({ targetValue: 10 }), DECIDER);
    expect(kpa.decide(T - TICK, concurrency(T - TICK, { stable: 100, panic: 100 }), 1, 1).desired).toBe(10);
    expect(kpa.decide(T, concurrency(T, { stable: 100, panic: 1000 }), 10, 10)).toEqual({ desired: 100, panicking: true });
    // Traffic dropped off; the scale stays while panicking.
    expect(kpa.decide(T + 30_000, concurrency(T + 30_000, { stable: 1, panic: 1 }), 100, 100)).toEqual({ desired: 100, panicking: true });
    // Ready stays at 10 as in Serving's test, so the scale-down rate of 10 allows 1.
    expect(kpa.decide(T + 61_000, concurrency(T + 61_000, { stable: 1, panic: 1 }), 10, 10)).toEqual({ desired: 1, panicking: false });
  });

  it('un-panics after a slow increase that stays under the threshold', () => {
    const kpa = new Kpa(settings({ targetValue: 1 }), DECIDER);
    expect(kpa.decide(T, concurrency(T, { stable: 11, panic: 25 }), 10, 10)).toEqual({ desired: 25, panicking: true });
    // Half the stable window later: 41/40 is under the threshold, so the panic is not extended.
    expect(kpa.decide(T + 30_000, concurrency(T + 30_000, { stable: 30, panic: 41 }), 40, 40)).toEqual({ desired: 41, panicking: true });
    expect(kpa.decide(T + 62_000, concurrency(T + 62_000, { stable: 50, panic: 56 }), 55, 55)).toEqual({ desired: 50, panicking: false });
  });

  it('extends the panic while the threshold is still met', () => {
    const kpa = new Kpa(settings({ targetValue: 1 }), DECIDER);
    expect(kpa.decide(T, concurrency(T, { stable: 11, panic: 25 }), 10, 10).desired).toBe(25);
    // 80 / 40 ready = 2: still at the threshold, the panic restarts from here.
    expect(kpa.decide(T + 30_000, concurrency(T + 30_000, { stable: 30, panic: 80 }), 40, 40)).toEqual({ desired: 80, panicking: true });
    // Where the un-extended panic would have ended, it still holds the 80 pods.
    expect(kpa.decide(T + 62_000, concurrency(T + 62_000, { stable: 50, panic: 56 }), 80, 80)).toEqual({ desired: 80, panicking: true });
    expect(kpa.decide(T + 92_000, concurrency(T + 92_000, { stable: 50, panic: 56 }), 80, 80)).toEqual({ desired: 50, panicking: false });
  });

  it('rate-limits scaling up to 10× the ready pods', () => {
    const kpa = new Kpa(settings({ targetValue: 10 }), DECIDER);
    expect(kpa.decide(T, concurrency(T, { stable: 1000, panic: 1001 }), 1, 1).desired).toBe(10);
    expect(kpa.decide(T + TICK, concurrency(T + TICK, { stable: 1000, panic: 1001 }), 10, 10).desired).toBe(100);
  });

  it('rate-limits scaling down to a tenth of the ready pods', () => {
    const kpa = new Kpa(settings({ targetValue: 10 }), DECIDER);
    expect(kpa.decide(T, concurrency(T, { stable: 1, panic: 1 }), 100, 100).desired).toBe(10);
    expect(kpa.decide(T + TICK, concurrency(T + TICK, { stable: 1, panic: 1 }), 10, 10).desired).toBe(1);
  });

  it('counts one ready pod when none is ready yet', () => {
    const kpa = new Kpa(settings({ targetValue: 10 }), DECIDER);
    expect(kpa.decide(T, concurrency(T, { stable: 1000, panic: 888 }), 1, 0).desired).toBe(10);
  });

  it('changes nothing without data (no sample yet)', () => {
    const kpa = new Kpa(settings({ targetValue: 10 }), DECIDER);
    expect(kpa.decide(T, new ConcurrencyMeter(T, STABLE), 3, 3)).toEqual({ desired: 3, panicking: false });
    expect(kpa.decide(T, new ConcurrencyMeter(T, STABLE), 0, 0)).toEqual({ desired: 0, panicking: false });
  });

  describe('scale-down-delay of 5 minutes', () => {
    // Threshold 100 (10000 %) keeps the decider out of panic, as in TestAutoscalerScaleDownDelay.
    const kpa = new Kpa(settings({ targetValue: 10, panicThreshold: 100, scaleDownDelayMs: 300_000 }), DECIDER);
    const at = (ms: number, level: number) => kpa.decide(T + ms, concurrency(T + ms, { stable: level, panic: level }), 0, 0).desired;
    it('simple: holds the scale for the delay, then drops', () => {
      expect(at(2000, 40)).toBe(4);
      expect(at(300_000, 0)).toBe(4);
      expect(at(302_000, 0)).toBe(0);
    });
    it('gradual: the highest recommendation in the delay window wins', () => {
      expect(at(540_000, 40)).toBe(4);
      expect(at(600_000, 30)).toBe(4);
      expect(at(660_000, 0)).toBe(4);
      expect(at(840_000, 0)).toBe(3); // 4 scrolled out
      expect(at(900_000, 0)).toBe(0); // everything scrolled out
    });
  });

  it('scale-down-delay 0 scales down at once', () => {
    const kpa = new Kpa(settings({ targetValue: 10, panicThreshold: 100 }), DECIDER);
    expect(kpa.decide(T, concurrency(T, { stable: 40, panic: 40 }), 0, 0).desired).toBe(4);
    expect(kpa.decide(T + 500, concurrency(T + 500, { stable: 20, panic: 20 }), 0, 0).desired).toBe(2);
  });
});

/** A Service run tick by tick: the meter sees `traffic(t)` requests in flight; instances get ready at once. */
class Run {
  readonly meter: ConcurrencyMeter;
  readonly kpa: Kpa;
  now = 0;
  instances = 0;
  private inFlight = 0;
  readonly log: { at: number; desired: number; panicking: boolean }[] = [];

  constructor(s: ScaleSettings, config: AutoscalerConfig = KNATIVE_AUTOSCALER_DEFAULTS) {
    this.kpa = new Kpa(s, config);
    this.meter = new ConcurrencyMeter(0, this.kpa.stableWindowMs);
  }

  /** Holds `level` requests in flight from now, ticking every 2 s for `ms`. */
  traffic(level: number, ms: number): this {
    while (this.inFlight < level) this.meter.start(this.now), this.inFlight++;
    while (this.inFlight > level) this.meter.end(this.now), this.inFlight--;
    for (const end = this.now + ms; this.now < end; ) {
      this.now += TICK;
      this.meter.sample(this.now);
      const d = this.kpa.decide(this.now, this.meter, this.instances, this.instances);
      this.instances = d.desired;
      this.log.push({ at: this.now, ...d });
    }
    return this;
  }

  at(ms: number): { desired: number; panicking: boolean } {
    const entry = this.log.find((e) => e.at === ms);
    if (!entry) throw new Error(`no tick at ${ms}`);
    return { desired: entry.desired, panicking: entry.panicking };
  }
}

describe('Kpa with the runtime defaults (knative-spec §7)', () => {
  it('uses a 60 s stable and 6 s panic window unless the window annotation says otherwise', () => {
    expect(new Kpa(settings(), KNATIVE_AUTOSCALER_DEFAULTS)).toMatchObject({ stableWindowMs: 60_000, panicWindowMs: 6000 });
    expect(new Kpa(settings({ stableWindowMs: 20_000, panicWindowFraction: 0.5 }), KNATIVE_AUTOSCALER_DEFAULTS)).toMatchObject({ stableWindowMs: 20_000, panicWindowMs: 10_000 });
  });

  it('stable mode: 10 concurrent requests at target 1 ask for 10 instances', () => {
    const run = new Run(settings({ targetValue: 1 }));
    run.instances = 10;
    run.traffic(10, 60_000);
    expect(run.at(60_000)).toEqual({ desired: 10, panicking: false });
    expect(run.log.every((e) => e.desired === 10 && !e.panicking)).toBe(true);
  });

  it('default target 70: 140 concurrent requests ask for 2 instances, 141 for 3', () => {
    const kpa = new Kpa(settings({ targetValue: 70 }), KNATIVE_AUTOSCALER_DEFAULTS);
    expect(kpa.decide(T, concurrency(T, { stable: 140, panic: 140 }), 2, 2)).toEqual({ desired: 2, panicking: false });
    expect(kpa.decide(T + TICK, concurrency(T + TICK, { stable: 141, panic: 141 }), 2, 2)).toEqual({ desired: 3, panicking: false });
  });

  it('panics when the panic window asks for twice the ready instances, not before', () => {
    const below = new Kpa(settings({ targetValue: 1 }), KNATIVE_AUTOSCALER_DEFAULTS);
    expect(below.decide(T, concurrency(T, { stable: 5, panic: 9 }), 5, 5)).toEqual({ desired: 5, panicking: false });
    const at = new Kpa(settings({ targetValue: 1 }), KNATIVE_AUTOSCALER_DEFAULTS);
    expect(at.decide(T, concurrency(T, { stable: 5, panic: 10 }), 5, 5)).toEqual({ desired: 10, panicking: true });
    // panic-threshold-percentage 300: 10/5 is no longer a panic.
    const higher = new Kpa(settings({ targetValue: 1, panicThreshold: 3 }), KNATIVE_AUTOSCALER_DEFAULTS);
    expect(higher.decide(T, concurrency(T, { stable: 5, panic: 10 }), 5, 5)).toEqual({ desired: 5, panicking: false });
  });

  it('never scales down while panicking, and leaves panic a stable window after the threshold was last met', () => {
    const run = new Run(settings({ targetValue: 1 }));
    run.instances = 2;
    run.traffic(2, 60_000).traffic(30, 4000).traffic(2, 120_000);
    // The burst is seen at once in the 6 s panic window: 12 wanted for 2 ready is over 2×.
    expect(run.at(62_000)).toEqual({ desired: 12, panicking: true });
    // 21 wanted for 12 ready is under the threshold: the panic goes on but is not extended.
    expect(run.at(64_000)).toEqual({ desired: 21, panicking: true });
    const panicked = run.log.filter((e) => e.panicking);
    for (let i = 1; i < panicked.length; i++) expect(panicked[i]!.desired).toBeGreaterThanOrEqual(panicked[i - 1]!.desired);
    // Back to 2 requests (2 instances' worth) from 64 s, yet the 21 stay while panicking.
    const lastOver = 62_000;
    expect(run.at(lastOver + 58_000)).toEqual({ desired: 21, panicking: true });
    // Serving leaves panic once panicTime + stable window is before now; here by the tick after.
    expect(run.at(lastOver + 62_000).panicking).toBe(false);
    const peak = 21;
    // Out of panic, the scale-down rate of 2 halves at most per tick, down to the 2 the traffic needs.
    const out = run.log.filter((e) => e.at > lastOver && !e.panicking);
    let prev = peak;
    for (const e of out) {
      expect(e.desired).toBeGreaterThanOrEqual(Math.floor(prev / 2));
      prev = e.desired;
    }
    expect(run.at(run.now).desired).toBe(2);
  });

  it('max scale-down rate 2: halves the instances per tick without traffic', () => {
    const kpa = new Kpa(settings({ targetValue: 1 }), KNATIVE_AUTOSCALER_DEFAULTS);
    const idle = (at: number) => concurrency(at, { stable: 0, panic: 0 });
    let n = 16;
    const seen: number[] = [];
    for (let at = T; n > 1; at += TICK) {
      n = kpa.decide(at, idle(at), n, n).desired;
      seen.push(n);
    }
    expect(seen).toEqual([8, 4, 2, 1]);
    // 3 ready: floor(3 / 2) = 1.
    expect(new Kpa(settings({ targetValue: 1 }), KNATIVE_AUTOSCALER_DEFAULTS).decide(T, idle(T), 3, 3).desired).toBe(1);
  });

  it('scale-down-delay keeps the highest recommendation of the delay window', () => {
    const kpa = new Kpa(settings({ targetValue: 1, scaleDownDelayMs: 10_000 }), KNATIVE_AUTOSCALER_DEFAULTS);
    expect(kpa.decide(T, concurrency(T, { stable: 4, panic: 4 }), 4, 4).desired).toBe(4);
    // Traffic gone: the decider would halve to 2, the delay keeps 4 for 10 s.
    for (let at = T + TICK; at < T + 10_000; at += TICK) {
      expect(kpa.decide(at, concurrency(at, { stable: 0, panic: 0 }), 4, 4).desired, `at +${at - T}`).toBe(4);
    }
    expect(kpa.decide(T + 10_000, concurrency(T + 10_000, { stable: 0, panic: 0 }), 4, 4).desired).toBe(2);
  });

  it('scale-down-delay does not delay scaling up', () => {
    const kpa = new Kpa(settings({ targetValue: 1, scaleDownDelayMs: 60_000, panicThreshold: 10 }), KNATIVE_AUTOSCALER_DEFAULTS);
    expect(kpa.decide(T, concurrency(T, { stable: 2, panic: 2 }), 2, 2).desired).toBe(2);
    expect(kpa.decide(T + TICK, concurrency(T + TICK, { stable: 6, panic: 6 }), 2, 2).desired).toBe(6);
  });

  it('min-scale is a floor: never below it, never to zero', () => {
    const s = settings({ targetValue: 1, minScale: 2 });
    const kpa = new Kpa(s, KNATIVE_AUTOSCALER_DEFAULTS);
    expect(kpa.atStart()).toBe(2);
    for (let at = T; at <= T + 200_000; at += 20_000) {
      expect(kpa.decide(at, concurrency(at, { stable: 0, panic: 0 }), 2, 2).desired).toBe(2);
    }
    expect(kpa.decide(T + 202_000, concurrency(T + 202_000, { stable: 5, panic: 5 }), 2, 2).desired).toBe(5);
  });

  it('max-scale caps the decision, in panic too, and the activation', () => {
    const kpa = new Kpa(settings({ targetValue: 1, maxScale: 3 }), KNATIVE_AUTOSCALER_DEFAULTS);
    expect(kpa.decide(T, concurrency(T, { stable: 100, panic: 100 }), 3, 3)).toEqual({ desired: 3, panicking: true });
    expect(new Kpa(settings({ maxScale: 3, activationScale: 5 }), KNATIVE_AUTOSCALER_DEFAULTS).activation()).toBe(3);
  });

  it('starts cold at min-scale 0 and activates activation-scale instances on the first request', () => {
    expect(new Kpa(settings(), KNATIVE_AUTOSCALER_DEFAULTS).atStart()).toBe(0);
    expect(new Kpa(settings(), KNATIVE_AUTOSCALER_DEFAULTS).activation()).toBe(1);
    expect(new Kpa(settings({ activationScale: 3 }), KNATIVE_AUTOSCALER_DEFAULTS).activation()).toBe(3);
  });

  it('activation-scale: from zero, and kept while there is any traffic', () => {
    const run = new Run(settings({ targetValue: 10, activationScale: 3 }));
    run.instances = run.kpa.activation();
    expect(run.instances).toBe(3);
    // One request in flight needs a single instance, but activation-scale keeps 3 (autoscaler.go).
    run.traffic(1, 30_000);
    expect(run.log.map((e) => e.desired)).toEqual(Array(15).fill(3));
    // Traffic ends: once the stable window no longer sees any, the floor no longer applies.
    run.traffic(0, 120_000);
    expect(run.at(30_000 + 62_000).desired).toBeLessThan(3);
    // From zero the decision itself is raised to activation-scale.
    const cold = new Kpa(settings({ targetValue: 10, activationScale: 3 }), KNATIVE_AUTOSCALER_DEFAULTS);
    expect(cold.decide(T, concurrency(T, { stable: 0.5, panic: 5 }), 0, 0).desired).toBe(3);
  });

  describe('scale to zero', () => {
    it('only after a stable window without traffic plus the 30 s grace period', () => {
      const run = new Run(settings({ targetValue: 1 }));
      run.instances = 1;
      run.traffic(1, 2000).traffic(0, 100_000);
      // The interval (0, 2 s] had traffic; the 60 s stable window leaves it at 62 s.
      expect(run.at(60_000).desired).toBe(1);
      expect(run.at(62_000).desired).toBe(1); // decider says 0; the last instance stays for the grace period
      expect(run.at(90_000).desired).toBe(1);
      expect(run.at(92_000).desired).toBe(0);
      expect(run.log.filter((e) => e.at > 92_000).every((e) => e.desired === 0)).toBe(true);
    });

    it('waits for scale-to-zero-pod-retention-period when it is longer than the grace period', () => {
      const run = new Run(settings({ targetValue: 1, retentionMs: 45_000 }));
      run.instances = 1;
      run.traffic(1, 2000).traffic(0, 120_000);
      expect(run.at(106_000).desired).toBe(1);
      expect(run.at(108_000).desired).toBe(0);
    });

    it('a retention period shorter than the grace period changes nothing', () => {
      const run = new Run(settings({ targetValue: 1, retentionMs: 10_000 }));
      run.instances = 1;
      run.traffic(1, 2000).traffic(0, 100_000);
      expect(run.at(90_000).desired).toBe(1);
      expect(run.at(92_000).desired).toBe(0);
    });

    it('traffic during the grace period cancels it, and the next idle spell waits the full time again', () => {
      const run = new Run(settings({ targetValue: 1 }));
      run.instances = 1;
      run.traffic(1, 2000).traffic(0, 78_000).traffic(1, 2000).traffic(0, 100_000);
      expect(run.at(80_000).desired).toBe(1);
      expect(run.at(82_000).desired).toBe(1);
      // The (80 s, 82 s] interval leaves the stable window at 142 s; then 30 s more.
      expect(run.at(170_000).desired).toBe(1);
      expect(run.at(172_000).desired).toBe(0);
    });

    it('the shortened local config scales to zero after its own window and grace', () => {
      const config: AutoscalerConfig = { ...KNATIVE_AUTOSCALER_DEFAULTS, stableWindowMs: 6000, scaleToZeroGraceMs: 4000 };
      const run = new Run(settings({ targetValue: 1 }), config);
      run.instances = 1;
      run.traffic(1, 2000).traffic(0, 20_000);
      expect(run.at(6000).desired).toBe(1);
      expect(run.at(8000).desired).toBe(1);
      expect(run.at(10_000).desired).toBe(1);
      expect(run.at(12_000).desired).toBe(0);
    });

    it('with nothing running there is nothing to wait for', () => {
      const kpa = new Kpa(settings({ targetValue: 1 }), KNATIVE_AUTOSCALER_DEFAULTS);
      expect(kpa.decide(T, concurrency(T, { stable: 0, panic: 0 }), 0, 0).desired).toBe(0);
    });
  });
});

// The soak's model, shared by the load generator and the subscriber process: the events (each a pure
// function of its sequence number, so every process can recompute any of them) and the 20 Triggers,
// each with its manifest filter and a hand-written predicate saying which events it must match.

/** A deterministic number in [0, 1) for (seq, salt): the same in every process, no state. */
export function rnd(seq: number, salt: number): number {
  let h = (Math.imul(seq, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h / 0x1_0000_0000;
}

export interface SoakData {
  readonly amount: number;
  readonly items: string[];
  readonly region: string;
  readonly vip?: boolean;
  readonly discount?: number;
}

export interface SoakEvent {
  readonly seq: number;
  readonly type: string;
  readonly source: string;
  readonly subject?: string;
  /** Extension, absent on a fifth of the events (filters on a missing attribute). */
  readonly tenant?: string;
  /** Extension, "0".."9" (CESQL casts it to an integer). */
  readonly priority: string;
  readonly data: SoakData;
}

const P = 'dev.eventyard.soak.';
const REGIONS = ['eu', 'us', 'ap'] as const;
const SERVICES = ['web', 'mobile', 'batch'] as const;
const TENANTS = ['a', 'b', 'c', 'd'] as const;
const pick = <T>(xs: readonly T[], r: number): T => xs[Math.floor(r * xs.length)]!;

export function eventFor(seq: number): SoakEvent {
  const r = (salt: number) => rnd(seq, salt);
  const t = r(0);
  const type =
    t < 0.3 ? `${P}order.created` : t < 0.5 ? `${P}order.shipped` : t < 0.6 ? `${P}order.cancelled` : t < 0.7 ? `${P}payment.failed` : t < 0.85 ? `${P}user.signup` : 'com.example.audit.log';
  const external = r(1) < 0.1;
  const region = external ? 'partner' : pick(REGIONS, r(2));
  const source = external ? `/external/partner-${Math.floor(r(3) * 5)}` : `/soak/${region}/${pick(SERVICES, r(3))}`;
  const subject = r(4) < 0.5 ? `order-${Math.floor(r(5) * 1000)}` : undefined;
  const tenant = r(6) < 0.2 ? undefined : pick(TENANTS, r(7));
  const priority = String(Math.floor(r(8) * 10));
  const items = Array.from({ length: Math.floor(r(9) * 6) }, (_, i) => `sku-${i}`);
  const data: SoakData = {
    amount: Math.floor(r(10) * 1000),
    items,
    region,
    ...(r(11) < 0.7 ? { vip: r(12) < 0.5 } : {}),
    ...(r(13) < 0.3 ? { discount: Math.floor(r(14) * 51) } : {}),
  };
  return { seq, type, source, subject, tenant, priority, data };
}

export type SubscriberKind = 'fast' | 'slow' | 'fail';

export interface SoakTrigger {
  readonly name: string;
  readonly kind: SubscriberKind;
  /** What the filter is, in words, for the report. */
  readonly describe: string;
  /** The Trigger's spec lines for its filter (indented two spaces, under `spec:`), or ''. */
  readonly filterYaml: string;
  /** eventyard.dev/cel annotation, if any. */
  readonly cel?: string;
  /** Which events the Trigger must match, written by hand from the filter's semantics. */
  readonly matches: (e: SoakEvent) => boolean;
}

const filters = (...lines: string[]) => `  filters:\n${lines.map((l) => `    ${l}`).join('\n')}`;
const cesql = (expr: string) => filters(`- cesql: ${JSON.stringify(expr)}`);

const ALL_TRIGGERS: readonly SoakTrigger[] = [
  {
    name: 'exact-created',
    kind: 'fast',
    describe: 'exact type',
    filterYaml: filters('- exact:', `    type: ${P}order.created`),
    matches: (e) => e.type === `${P}order.created`,
  },
  {
    name: 'prefix-order',
    kind: 'fast',
    describe: 'prefix type',
    filterYaml: filters('- prefix:', `    type: ${P}order.`),
    matches: (e) => e.type.startsWith(`${P}order.`),
  },
  {
    name: 'suffix-failed-slow',
    kind: 'slow',
    describe: 'suffix type → slow subscriber',
    filterYaml: filters('- suffix:', '    type: .failed'),
    matches: (e) => e.type.endsWith('.failed'),
  },
  {
    name: 'all-tenant-a-eu',
    kind: 'fast',
    describe: 'all [exact tenant, prefix source]',
    filterYaml: filters('- all:', '    - exact:', '        tenant: a', '    - prefix:', '        source: /soak/eu/'),
    matches: (e) => e.tenant === 'a' && e.source.startsWith('/soak/eu/'),
  },
  {
    name: 'any-signup-77',
    kind: 'fast',
    describe: 'any [exact type, suffix subject]',
    filterYaml: filters('- any:', '    - exact:', `        type: ${P}user.signup`, '    - suffix:', '        subject: "-77"'),
    matches: (e) => e.type === `${P}user.signup` || (e.subject !== undefined && e.subject.endsWith('-77')),
  },
  {
    name: 'not-soak-source',
    kind: 'fast',
    describe: 'not prefix source',
    filterYaml: filters('- not:', '    prefix:', '      source: /soak/'),
    matches: (e) => !e.source.startsWith('/soak/'),
  },
  {
    name: 'user-not-tenant-b',
    kind: 'fast',
    describe: 'prefix type + not exact tenant (missing tenant passes)',
    filterYaml: filters('- prefix:', `    type: ${P}user.`, '- not:', '    exact:', '      tenant: b'),
    matches: (e) => e.type.startsWith(`${P}user.`) && e.tenant !== 'b',
  },
  {
    name: 'legacy-shipped-c',
    kind: 'fast',
    describe: 'legacy filter.attributes type + tenant',
    filterYaml: `  filter:\n    attributes:\n      type: ${P}order.shipped\n      tenant: c`,
    matches: (e) => e.type === `${P}order.shipped` && e.tenant === 'c',
  },
  {
    name: 'cesql-order-ab',
    kind: 'fast',
    describe: 'CESQL LIKE + IN',
    filterYaml: cesql(`type LIKE '${P}order.%' AND tenant IN ('a', 'b')`),
    matches: (e) => e.type.startsWith(`${P}order.`) && (e.tenant === 'a' || e.tenant === 'b'),
  },
  {
    name: 'cesql-subject-1',
    kind: 'fast',
    describe: 'CESQL EXISTS + LIKE',
    filterYaml: cesql(`EXISTS subject AND subject LIKE 'order-1%'`),
    matches: (e) => e.subject !== undefined && e.subject.startsWith('order-1'),
  },
  {
    name: 'cesql-priority-mobile',
    kind: 'fast',
    describe: 'CESQL INT() + LIKE suffix',
    filterYaml: cesql(`INT(priority) >= 8 AND source LIKE '%/mobile'`),
    matches: (e) => Number(e.priority) >= 8 && e.source.endsWith('/mobile'),
  },
  {
    name: 'cesql-shipped-mod3',
    kind: 'fast',
    describe: 'CESQL NOT + arithmetic',
    filterYaml: cesql(`NOT (source LIKE '/external/%') AND INT(priority) % 3 = 0 AND type = '${P}order.shipped'`),
    matches: (e) => !e.source.startsWith('/external/') && Number(e.priority) % 3 === 0 && e.type === `${P}order.shipped`,
  },
  {
    name: 'cesql-cancelled-not-b',
    kind: 'fast',
    describe: 'CESQL NOT on a sometimes-missing attribute (missing = error = no match)',
    filterYaml: cesql(`NOT (tenant = 'b') AND type = '${P}order.cancelled'`),
    matches: (e) => e.tenant !== undefined && e.tenant !== 'b' && e.type === `${P}order.cancelled`,
  },
  {
    name: 'cel-amount-a',
    kind: 'fast',
    describe: 'CEL data + extension (missing tenant = error = no match)',
    filterYaml: '',
    cel: 'event.data.amount > 500 && event.tenant == "a"',
    matches: (e) => e.data.amount > 500 && e.tenant === 'a',
  },
  {
    name: 'cel-items-us',
    kind: 'fast',
    describe: 'CEL size() + startsWith',
    filterYaml: '',
    cel: 'size(event.data.items) >= 3 && event.source.startsWith("/soak/us/")',
    matches: (e) => e.data.items.length >= 3 && e.source.startsWith('/soak/us/'),
  },
  {
    name: 'cel-discount',
    kind: 'fast',
    describe: 'prefix type + CEL on a sometimes-missing key',
    filterYaml: filters('- prefix:', `    type: ${P}`),
    cel: 'event.data.discount > 10',
    matches: (e) => e.type.startsWith(P) && e.data.discount !== undefined && e.data.discount > 10,
  },
  {
    name: 'cel-vip-created',
    kind: 'fast',
    describe: 'CEL has() + bool + endsWith',
    filterYaml: '',
    cel: 'has(event.data.vip) && event.data.vip && event.type.endsWith(".created")',
    matches: (e) => e.data.vip === true && e.type.endsWith('.created'),
  },
  {
    name: 'flaky-even-orders',
    kind: 'fail',
    describe: 'prefix type + CEL modulo → failing subscriber',
    filterYaml: filters('- prefix:', `    type: ${P}order.`),
    cel: 'event.data.amount % 2 == 0',
    matches: (e) => e.type.startsWith(`${P}order.`) && e.data.amount % 2 === 0,
  },
  {
    name: 'never',
    kind: 'fast',
    describe: 'exact type nobody sends',
    filterYaml: filters('- exact:', '    type: dev.eventyard.soak.never'),
    matches: () => false,
  },
  {
    name: 'everything',
    kind: 'fast',
    describe: 'no filter',
    filterYaml: '',
    matches: () => true,
  },
];

/** SOAK_TRIGGERS=name,name… runs only those (to look at one Trigger alone); default all 20. */
const only = process.env.SOAK_TRIGGERS?.split(',').map((n) => n.trim());
export const TRIGGERS: readonly SoakTrigger[] = only ? ALL_TRIGGERS.filter((t) => only.includes(t.name)) : ALL_TRIGGERS;

export const TRIGGER_INDEX = new Map(TRIGGERS.map((t, i) => [t.name, i]));

/** The event id of sequence number `seq` in run `run`; the subscriber parses `seq` back. */
export const idFor = (run: string, seq: number) => `soak-${run}-${seq}`;
export function seqOf(id: string): number {
  const dash = id.lastIndexOf('-');
  return dash < 0 ? -1 : Number(id.slice(dash + 1));
}

/** How the failing subscriber answers attempt k of an event: a few always fail, ~30 % overall. */
export const ALWAYS_FAIL = (seq: number) => rnd(seq, 99) < 0.01;
export const FAIL_RATE = 0.3;
/** Random failure rate for the rest, so that the overall rate is FAIL_RATE. */
export const RANDOM_FAIL_RATE = (FAIL_RATE - 0.01) / 0.99;
export const SLOW_MS = Number(process.env.SOAK_SLOW_MS ?? 200);

/** Per-(Trigger, event) state bits in the subscriber's tables. */
export const DELIVERED = 1;
export const DEAD_LETTERED = 2;
export const DUPLICATE = 4;
export const DLS_DUPLICATE = 8;

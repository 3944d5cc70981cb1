// Filter evaluation cost: ns per evaluation of compiled Trigger filters over CloudEvents, side by
// side in the same process with a hand-written JS predicate doing the same check.
import { pathToFileURL } from 'node:url';
import { attributeRecord, type CloudEvent } from '../src/events/event.js';
import { celFilter } from '../src/filters/cel/index.js';
import { compileFilter } from '../src/filters/compile.js';
import type { EventFilter } from '../src/filters/filter.js';
import type { FilterSpec } from '../src/filters/spec.js';

const EVALUATIONS = Number(process.env.BENCH_FILTER_EVALUATIONS ?? 1_000_000);
const RUNS = 5;
const TYPE = 'dev.eventyard.render.requested';

/** 64 events, about half matching each check, cycled so that no branch is always taken. */
const EVENTS: CloudEvent[] = Array.from({ length: 64 }, (_, i) => ({
  attributes: attributeRecord(
    Object.entries({
      specversion: '1.0',
      id: `e-${i}`,
      type: i % 2 === 0 ? TYPE : 'dev.eventyard.render.completed',
      source: i % 3 === 0 ? `/elsewhere/${i}` : `/orders/${i}`,
      divisions: String(i % 8),
      renderingid: `r-${i}`,
    }),
  ),
  data: undefined,
}));

interface Case {
  name: string;
  filter: EventFilter;
  baseline: (e: CloudEvent) => boolean;
}

const cesql = (expression: string) => compileFilter({ dialect: 'cesql', expression })!;
const spec = (s: FilterSpec) => compileFilter(s)!;

const CASES: Case[] = [
  { name: 'exact type', filter: spec({ dialect: 'exact', attributes: { type: TYPE } }), baseline: (e) => e.attributes.type === TYPE },
  { name: 'prefix source', filter: spec({ dialect: 'prefix', attributes: { source: '/orders/' } }), baseline: (e) => e.attributes.source?.startsWith('/orders/') === true },
  {
    name: 'CESQL, 3 clauses',
    filter: cesql(`type = '${TYPE}' AND source LIKE '/orders/%' AND divisions > 4`),
    baseline: (e) => e.attributes.type === TYPE && e.attributes.source?.startsWith('/orders/') === true && Number(e.attributes.divisions) > 4,
  },
  {
    name: 'CEL, 3 clauses',
    filter: celFilter(`event.type == "${TYPE}" && event.source.startsWith("/orders/") && int(event.divisions) > 4`),
    baseline: (e) => e.attributes.type === TYPE && e.attributes.source?.startsWith('/orders/') === true && Number(e.attributes.divisions) > 4,
  },
];

function time(run: (e: CloudEvent) => boolean): number {
  let hits = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < EVALUATIONS; i++) if (run(EVENTS[i & 63]!)) hits++;
  const ns = Number(process.hrtime.bigint() - started) / EVALUATIONS;
  if (hits < 0) throw new Error('unreachable'); // keeps the loop from being optimised away
  return ns;
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

export interface FilterBenchRow {
  name: string;
  filterNs: number;
  baselineNs: number;
  ratio: number;
}

export function runFilterBench(): { rows: FilterBenchRow[]; table: string } {
  const rows = CASES.map(({ name, filter, baseline }) => {
    // Same answers first: a fast filter that is wrong would be worthless.
    for (const e of EVENTS) if ((filter.evaluate(e) === 'pass') !== baseline(e)) throw new Error(`${name}: filter and baseline disagree on ${e.attributes.id}`);
    const f: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      f.push(time((e) => filter.evaluate(e) === 'pass'));
      b.push(time(baseline));
    }
    const filterNs = median(f);
    const baselineNs = median(b);
    return { name, filterNs: Number(filterNs.toFixed(1)), baselineNs: Number(baselineNs.toFixed(1)), ratio: Number((filterNs / baselineNs).toFixed(1)) };
  });
  const table = [
    `Filter evaluation — ${EVALUATIONS.toLocaleString('en')} evaluations × ${RUNS} runs over 64 events, medians`,
    '',
    '| filter | ns per evaluation | hand-written JS (ns) | ratio |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${r.filterNs} | ${r.baselineNs} | ${r.ratio} |`),
    '',
  ].join('\n');
  return { rows, table };
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) console.log(runFilterBench().table);

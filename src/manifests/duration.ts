// ISO-8601 durations as Knative accepts them (rickb777/date period): PnYnMnWnDTnHnMnS, fractions allowed.
const ISO_DURATION =
  /^P(?!$)(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?!$)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const MS = { year: 365.2425 * 86_400_000, month: 30.436875 * 86_400_000, week: 604_800_000, day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1000 };

/** Milliseconds in an ISO-8601 duration such as `PT0.2S` or `PT1M`, or undefined when it is not one. */
export function parseIsoDuration(text: string): number | undefined {
  const m = ISO_DURATION.exec(text.trim().toUpperCase());
  if (!m) return undefined;
  const [, y, mo, w, d, h, mi, s] = m.map((part) => (part === undefined ? 0 : Number(part)));
  return Math.round(y! * MS.year + mo! * MS.month + w! * MS.week + d! * MS.day + h! * MS.hour + mi! * MS.minute + s! * MS.second);
}

const GO_UNITS_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const GO_DURATION = /^(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h)/;

/**
 * Milliseconds in a Go duration such as `60s`, `1m30s` or `500ms` (time.ParseDuration, which
 * Knative Serving's annotations use), or undefined when it is not one. Negative values are refused.
 */
export function parseGoDuration(text: string): number | undefined {
  let rest = text.trim();
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest !== '') {
    const m = GO_DURATION.exec(rest);
    if (!m) return undefined;
    const unit = /[a-zµ]+$/.exec(m[0])![0];
    total += Number(m[0].slice(0, -unit.length)) * GO_UNITS_MS[unit]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

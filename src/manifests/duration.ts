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

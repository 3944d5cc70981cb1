import { describe, expect, it } from 'vitest';
import { parseGoDuration, parseIsoDuration } from './duration.js';

it('parses the ISO-8601 durations Knative accepts', () => {
  expect(parseIsoDuration('PT0.2S')).toBe(200);
  expect(parseIsoDuration('PT1M')).toBe(60_000);
  expect(parseIsoDuration('PT1H30M')).toBe(5_400_000);
  expect(parseIsoDuration('P1D')).toBe(86_400_000);
  expect(parseIsoDuration('P1DT0.5S')).toBe(86_400_500);
  expect(parseIsoDuration('pt10s')).toBe(10_000);
});

it('rejects what is not one', () => {
  for (const bad of ['', 'P', 'PT', '200ms', '10s', 'PT-1S', 'T1S', 'P1S']) expect(parseIsoDuration(bad)).toBeUndefined();
});

describe('parseGoDuration', () => {
  it.each([
    ['60s', 60_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['0', 0],
    ['0s', 0],
    ['2h3m4.5s', 7_384_500],
  ])('%s is %d ms', (text, ms) => expect(parseGoDuration(text)).toBe(ms));

  it.each(['', '60', '-1s', 's', '1d', 'PT1S', '1s '.repeat(2) + 'x'])('refuses %j', (text) => expect(parseGoDuration(text)).toBeUndefined());
});

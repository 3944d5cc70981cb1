import { expect, it } from 'vitest';
import { parseIsoDuration } from './duration.js';

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

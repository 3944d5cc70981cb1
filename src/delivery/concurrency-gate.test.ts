import { expect, it } from 'vitest';
import { ConcurrencyGate } from './concurrency-gate.js';

it('runs at most `limit` at once, then the waiters in arrival order', async () => {
  const gate = new ConcurrencyGate(2);
  const started: number[] = [];
  for (let i = 0; i < 5; i++) gate.enter(() => started.push(i));
  expect(started).toEqual([0, 1]);
  expect(gate.queued).toBe(3);
  gate.release();
  expect(started).toEqual([0, 1, 2]);
  const back = gate.acquire().then(() => started.push(99));
  gate.release(); // → 3
  gate.release(); // → 4
  gate.release(); // → the acquire() that came last
  await back;
  expect(started).toEqual([0, 1, 2, 3, 4, 99]);
  expect(gate.queued).toBe(0);
  gate.release();
  gate.release();
  // Both slots free again: the next one starts at once.
  gate.enter(() => started.push(5));
  expect(started.at(-1)).toBe(5);
});

it('keeps order across many waiters', () => {
  const gate = new ConcurrencyGate(1);
  const order: number[] = [];
  gate.enter(() => {});
  for (let i = 0; i < 5000; i++) gate.enter(() => order.push(i));
  for (let i = 0; i < 5000; i++) gate.release();
  expect(order).toEqual([...Array(5000).keys()]);
});

import { describe, expect, it } from 'vitest';
import { decide, MIN_SCORE } from './rule.js';

describe('train-control rule', () => {
  it('stops for a stop sign, even when other signs are seen too', () => {
    expect(decide([{ label: 'go', score: 0.99 }, { label: 'stop', score: 0.7 }, { label: 'slow', score: 0.9 }])).toEqual({ action: 'stop', reason: 'stop sign seen (score 0.70)' });
  });

  it('slows for a slow sign when there is no stop sign', () => {
    expect(decide([{ label: 'slow', score: 0.8 }, { label: 'go', score: 0.95 }]).action).toBe('slow');
  });

  it('goes on a go sign, and when nothing is in view', () => {
    expect(decide([{ label: 'go', score: 0.9 }]).action).toBe('go');
    expect(decide([])).toEqual({ action: 'go', reason: 'no sign in view' });
  });

  it('ignores signs below the score threshold and labels it does not know', () => {
    expect(decide([{ label: 'stop', score: MIN_SCORE - 0.01 }, { label: 'background', score: 1 }])).toEqual({ action: 'go', reason: `no sign above score ${MIN_SCORE}` });
    expect(decide([{ label: 'stop', score: MIN_SCORE }]).action).toBe('stop');
  });
});

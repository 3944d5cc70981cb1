/** A sign the model saw in a frame. */
export interface Prediction {
  readonly label: string;
  readonly score: number;
  /** Where the sign is, in frame pixels (the rule does not use it). */
  readonly box?: { readonly x: number; readonly y: number; readonly w: number; readonly h: number } | readonly number[];
}

export type Action = 'go' | 'slow' | 'stop';

export interface Command {
  readonly action: Action;
  readonly reason: string;
}

/** Below this score a prediction is noise: the train does not react to it. */
export const MIN_SCORE = 0.6;

/** The signs the rule knows, most cautious first: when several are seen, the most cautious wins. */
const SIGNS: readonly { label: string; action: Action }[] = [
  { label: 'stop', action: 'stop' },
  { label: 'slow', action: 'slow' },
  { label: 'go', action: 'go' },
];

/**
 * The train's rule: the most cautious sign seen with a score of at least MIN_SCORE decides; with
 * none, the train goes on. Other labels (background, unknown signs) are ignored.
 */
export function decide(predictions: readonly Prediction[]): Command {
  for (const sign of SIGNS) {
    const seen = predictions.filter((p) => p.label === sign.label && p.score >= MIN_SCORE);
    if (seen.length > 0) {
      const best = Math.max(...seen.map((p) => p.score));
      return { action: sign.action, reason: `${sign.label} sign seen (score ${best.toFixed(2)})` };
    }
  }
  const weak = predictions.filter((p) => SIGNS.some((s) => s.label === p.label));
  return { action: 'go', reason: weak.length > 0 ? `no sign above score ${MIN_SCORE}` : 'no sign in view' };
}

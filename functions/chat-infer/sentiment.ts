import vader from 'vader-sentiment';

export interface Sentiment {
  /** VADER's compound score: −1 (most negative) to +1 (most positive). */
  readonly score: number;
  /** positive ≥ 0.05, negative ≤ −0.05, neutral between: VADER's own cut-offs. */
  readonly label: 'positive' | 'neutral' | 'negative';
  readonly positive: number;
  readonly neutral: number;
  readonly negative: number;
  /** A lexicon with rules, English only: other languages mostly come out neutral. */
  readonly model: 'vader lexicon (en)';
}

/** Sentiment with VADER (Hutto & Gilbert, 2014): a valence lexicon plus rules for negation, intensifiers, caps, "!" and emoticons. */
export function sentimentOf(text: string): Sentiment {
  const s = vader.SentimentIntensityAnalyzer.polarity_scores(text);
  const label = s.compound >= 0.05 ? 'positive' : s.compound <= -0.05 ? 'negative' : 'neutral';
  return { score: s.compound, label, positive: s.pos, neutral: s.neu, negative: s.neg, model: 'vader lexicon (en)' };
}

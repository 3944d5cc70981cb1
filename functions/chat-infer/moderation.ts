export interface Moderation {
  /** True when the message should be held for a human to look at. */
  readonly flagged: boolean;
  /** What matched: insult, threat, or hostile (very negative sentiment aimed at "you"). */
  readonly categories: readonly string[];
  readonly terms: readonly string[];
  readonly model: 'word list';
}

/**
 * A short word list (English and French), matched on whole words after folding case, accents and
 * common look-alike characters. A first filter for a live chat, not a toxicity model: it misses
 * insults it has no word for and cannot tell a quote or a joke from abuse.
 */
const TERMS: Readonly<Record<string, readonly string[]>> = {
  insult: ['idiot', 'idiots', 'moron', 'morons', 'stupid', 'dumb', 'loser', 'losers', 'jerk', 'imbecile', 'cretin', 'connard', 'connards', 'abruti', 'debile', 'trash', 'garbage', 'clown'],
  threat: ['kill you', 'kill yourself', 'kys', 'hurt you', 'find you', 'beat you', 'je vais te tuer', 'creve'],
};

const LOOK_ALIKES: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

function fold(text: string): string {
  return ` ${text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[013457@$]/g, (c) => LOOK_ALIKES[c] ?? c)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
}

export function moderate(text: string, sentimentScore: number): Moderation {
  const folded = fold(text);
  const categories = new Set<string>();
  const terms: string[] = [];
  for (const [category, words] of Object.entries(TERMS)) {
    for (const word of words) {
      if (folded.includes(` ${word} `)) {
        categories.add(category);
        terms.push(word);
      }
    }
  }
  // Strong negativity aimed at someone is worth a look even without a listed word.
  if (sentimentScore <= -0.7 && / (you|u|your|tu|toi|vous) /.test(folded)) categories.add('hostile');
  return { flagged: categories.size > 0, categories: [...categories], terms, model: 'word list' };
}

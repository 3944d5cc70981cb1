import { getLIDModel } from 'fasttext.wasm.js';

export interface Language {
  /** ISO 639-1 code (639-3 where there is none), or "und" when the text has too few letters to say. */
  readonly code: string;
  readonly name: string;
  /** fastText's probability for that language, 0–1. */
  readonly score: number;
  readonly model: 'fasttext lid.176';
}

type LidModel = Awaited<ReturnType<typeof getLIDModel>>;

/**
 * Language identification with fastText's pre-trained lid.176 model (176 languages, Facebook
 * Research, CC-BY-SA 3.0), which ships inside the fasttext.wasm.js package and runs as WebAssembly.
 */
export class LanguageIdentifier {
  private constructor(private readonly model: LidModel) {}

  static async load(): Promise<LanguageIdentifier> {
    const model = await getLIDModel();
    await model.load();
    return new LanguageIdentifier(model);
  }

  async identify(text: string): Promise<Language> {
    // Under two letters (emoji, "+1", "?!") any answer would be a guess.
    if ((text.match(/\p{L}/gu) ?? []).length < 2) return { code: 'und', name: 'Undetermined', score: 0, model: 'fasttext lid.176' };
    // fastText reads one line; it ignores case poorly, so the text is lowercased as it was trained.
    const result = await this.model.identify(text.replace(/\s+/g, ' ').toLowerCase());
    return { code: result.alpha2 ?? result.alpha3, name: result.refName, score: Math.min(1, Math.round(result.possibility * 1e4) / 1e4), model: 'fasttext lid.176' };
  }
}

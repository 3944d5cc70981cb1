import { CloudEvent } from 'cloudevents';
import { dataValidator } from '../../src/function-kit/event-data.js';
import schema from './chat.message.schema.json' with { type: 'json' };
import { LanguageIdentifier } from './language.js';
import { moderate } from './moderation.js';
import { sentimentOf } from './sentiment.js';

interface ChatMessage {
  readonly room: string;
  readonly user: string;
  readonly text: string;
  readonly at?: string;
}

const readMessage = dataValidator<ChatMessage>('dev.eventyard.chat.message', schema);
let languages: Promise<LanguageIdentifier> | undefined;

/** faas-js-runtime awaits `init` once per instance: the fastText model is loaded then, not per message. */
export async function init(): Promise<void> {
  languages ??= LanguageIdentifier.load();
  await languages;
}

/**
 * chat-infer: a chat message in, the same message scored out (`dev.eventyard.chat.scored`):
 * its language (fastText lid.176, a pre-trained model), its sentiment (VADER, a lexicon) and a
 * moderation flag (a word list). Stateless; each message is scored on its own.
 */
export async function handle(_context: unknown, event?: CloudEvent<unknown>): Promise<CloudEvent<unknown>> {
  const started = performance.now();
  const message = readMessage(event?.data);
  const language = await (await (languages ??= LanguageIdentifier.load())).identify(message.text);
  const sentiment = sentimentOf(message.text);
  const moderation = moderate(message.text, sentiment.score);
  return new CloudEvent({
    source: '/functions/chat-infer',
    type: 'dev.eventyard.chat.scored',
    subject: message.room,
    data: {
      room: message.room,
      user: message.user,
      text: message.text,
      ...(message.at !== undefined ? { at: message.at } : {}),
      language,
      sentiment,
      moderation,
      inferMs: Math.round((performance.now() - started) * 100) / 100,
    },
  });
}

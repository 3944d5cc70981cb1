import { cut, previewData, type DataPreview } from './preview.js';
import { inlineImageChars, viewOf, type ChatView, type ClassifiedView, type CommandView, type FrameView, type RenderOrder, type RenderView, type TileView, type View } from './views.js';

/** One event as the stream view shows it: attributes, extensions and a bounded data preview. */
export interface EventRecord {
  /** The display's own sequence number, counting every event it received. */
  readonly seq: number;
  /** When the display received it (epoch ms). */
  readonly at: number;
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly subject?: string;
  readonly time?: string;
  readonly datacontenttype?: string;
  readonly specversion?: string;
  readonly extensions: Readonly<Record<string, string>>;
  readonly data: DataPreview;
}

/** The event as faas-js-runtime hands it over (a cloudevents CloudEvent), read without trusting it. */
export type IncomingEvent = Readonly<Record<string, unknown>>;

/** Everything a page needs to start: recent events, counts, and the views' state as views to apply. */
export interface Snapshot {
  readonly seq: number;
  readonly total: number;
  readonly byType: Readonly<Record<string, number>>;
  readonly records: readonly EventRecord[];
  readonly views: readonly View[];
  /** Chat messages per second, [epoch second, count], oldest first. */
  readonly chatRate: readonly (readonly [number, number])[];
  readonly limits: typeof HISTORY_LIMITS;
}

/** Bounds of what one display instance holds in memory. */
export const HISTORY_LIMITS = {
  records: 1000,
  types: 200,
  renders: 12,
  /** Tiles kept per render order: render.requested allows at most 16 divisions, 16² tiles. */
  tiles: 256,
  /**
   * Characters of inline (`data:`) image data kept across every view: tiles, completed frames and
   * camera frames. Past it the oldest lose their pixels first (their metadata stays), so the
   * history and its snapshot stay a few tens of MB however large the images (blob refs cost nothing).
   */
  inlineImageChars: 32 * 1024 * 1024,
  trains: 8,
  commands: 20,
  chat: 200,
  chatRateSeconds: 120,
} as const;

const CORE = new Set(['specversion', 'id', 'type', 'source', 'subject', 'time', 'datacontenttype', 'dataschema', 'data', 'data_base64', 'datacontentencoding', 'schemaurl']);
const OTHER_TYPES = '(other types)';

interface RenderState {
  order: RenderOrder;
  at: number;
  readonly tiles: Map<string, TileView>;
  completed?: RenderView['completed'];
  failed?: RenderView['failed'];
}

interface TrainState {
  frame?: FrameView;
  classified?: ClassifiedView;
  readonly commands: CommandView[];
}

/**
 * The display's bounded memory of recent events: it lives in the instance (hence max-scale 1) and
 * is rebuilt from new events after a scale to zero.
 */
export class History {
  private seq = 0;
  private readonly records: EventRecord[] = [];
  private readonly byType = new Map<string, number>();
  private readonly renders = new Map<string, RenderState>();
  private readonly trains = new Map<string, TrainState>();
  private readonly chat: ChatView[] = [];
  private readonly chatRate = new Map<number, number>();
  /** The inline images kept, oldest first: what each costs and how to drop its pixels. */
  private readonly inline = new Map<string, { readonly chars: number; readonly drop: () => void }>();
  private inlineChars = 0;

  /** Records one event; returns what the pages watching now must apply. */
  add(event: IncomingEvent, at = Date.now()): { record: EventRecord; view?: View } {
    const extensions: Record<string, string> = {};
    for (const [name, value] of Object.entries(event)) {
      if (CORE.has(name) || value === undefined || typeof value === 'function') continue;
      if (Object.keys(extensions).length >= 30) break;
      extensions[name] = cut(typeof value === 'string' ? value : String(JSON.stringify(value)), 300).text;
    }
    const type = attribute(event.type) ?? '(no type)';
    const record: EventRecord = {
      seq: ++this.seq,
      at,
      id: attribute(event.id) ?? '',
      type,
      source: attribute(event.source) ?? '',
      subject: attribute(event.subject),
      time: attribute(event.time instanceof Date ? event.time.toISOString() : event.time),
      datacontenttype: attribute(event.datacontenttype),
      specversion: attribute(event.specversion),
      extensions,
      data: previewData(event.data),
    };
    this.records.push(record);
    if (this.records.length > HISTORY_LIMITS.records) this.records.shift();
    const typeKey = this.byType.has(type) || this.byType.size < HISTORY_LIMITS.types ? type : OTHER_TYPES;
    this.byType.set(typeKey, (this.byType.get(typeKey) ?? 0) + 1);
    const view = viewOf({ type, subject: record.subject, extensions, data: event.data, at });
    if (view) this.apply(view);
    return { record, view };
  }

  get total(): number {
    return this.seq;
  }

  /** Characters of inline image data kept now (at most HISTORY_LIMITS.inlineImageChars). */
  get inlineImageChars(): number {
    return this.inlineChars;
  }

  snapshot(): Snapshot {
    const views: View[] = [];
    for (const [id, r] of this.renders) {
      views.push({ kind: 'render', id, at: r.at, order: r.order });
      for (const tile of r.tiles.values()) views.push({ kind: 'render', id, at: r.at, tile });
      if (r.completed) views.push({ kind: 'render', id, at: r.at, completed: r.completed });
      if (r.failed) views.push({ kind: 'render', id, at: r.at, failed: r.failed });
    }
    for (const t of this.trains.values()) {
      views.push(...t.commands);
      if (t.classified) views.push(t.classified);
      if (t.frame) views.push(t.frame);
    }
    views.push(...this.chat);
    return {
      seq: this.seq,
      total: this.seq,
      byType: Object.fromEntries(this.byType),
      records: [...this.records],
      views,
      chatRate: [...this.chatRate].sort((a, b) => a[0] - b[0]),
      limits: HISTORY_LIMITS,
    };
  }

  private apply(view: View): void {
    switch (view.kind) {
      case 'render': {
        let r = this.renders.get(view.id);
        if (!r) {
          r = { order: {}, at: view.at, tiles: new Map() };
          this.renders.set(view.id, r);
          // Oldest order first out: Maps keep insertion order.
          if (this.renders.size > HISTORY_LIMITS.renders) {
            const [oldId, old] = this.renders.entries().next().value!;
            this.renders.delete(oldId);
            for (const key of old.tiles.keys()) this.forgetInline(`tile\u0000${oldId}\u0000${key}`);
            this.forgetInline(`completed\u0000${oldId}`);
          }
        }
        const state = r;
        if (view.order) r.order = { ...r.order, ...defined(view.order) };
        if (view.tile) {
          const key = `${view.tile.tileX},${view.tile.tileY}`;
          const old = r.tiles.get(key);
          // A late status never hides a tile already rendered or failed.
          const keep = old && isFinal(old.status) && !isFinal(view.tile.status);
          const tile = { ...old, ...defined(view.tile), ...(keep ? { status: old.status } : {}) } as TileView;
          const merged = view.tile.src !== undefined ? withoutDropped(tile) : tile;
          r.tiles.set(key, merged);
          const inlineKey = `tile\u0000${view.id}\u0000${key}`;
          if (view.tile.src !== undefined) {
            this.keepInline(inlineKey, merged.src, () => {
              const t = state.tiles.get(key);
              if (t?.src !== undefined) state.tiles.set(key, dropImage(t));
            });
          }
          if (r.tiles.size > HISTORY_LIMITS.tiles) {
            const oldest = r.tiles.keys().next().value!;
            r.tiles.delete(oldest);
            this.forgetInline(`tile\u0000${view.id}\u0000${oldest}`);
          }
        }
        if (view.completed) {
          r.completed = view.completed;
          this.keepInline(`completed\u0000${view.id}`, view.completed.src, () => {
            if (state.completed?.src !== undefined) state.completed = dropImage(state.completed);
          });
        }
        if (view.failed) r.failed = view.failed;
        return;
      }
      case 'frame':
      case 'classified':
      case 'command': {
        let t = this.trains.get(view.trainId);
        if (!t) {
          t = { commands: [] };
          this.trains.set(view.trainId, t);
          if (this.trains.size > HISTORY_LIMITS.trains) {
            const oldest = this.trains.keys().next().value!;
            this.trains.delete(oldest);
            this.forgetInline(`frame\u0000${oldest}`);
          }
        }
        const train = t;
        if (view.kind === 'frame') {
          t.frame = view;
          this.keepInline(`frame\u0000${view.trainId}`, view.src, () => {
            if (train.frame?.src !== undefined) train.frame = dropImage(train.frame);
          });
        } else if (view.kind === 'classified') t.classified = view;
        else {
          t.commands.push(view);
          if (t.commands.length > HISTORY_LIMITS.commands) t.commands.shift();
        }
        return;
      }
      case 'chat': {
        this.chat.push(view);
        if (this.chat.length > HISTORY_LIMITS.chat) this.chat.shift();
        const second = Math.floor(view.at / 1000);
        this.chatRate.set(second, (this.chatRate.get(second) ?? 0) + 1);
        for (const s of this.chatRate.keys()) if (s <= second - HISTORY_LIMITS.chatRateSeconds) this.chatRate.delete(s);
        return;
      }
    }
  }

  /**
   * Counts the inline image a view now holds under `key` (replacing what that key held), then drops
   * the pixels of the oldest inline images until the total is within HISTORY_LIMITS.inlineImageChars.
   */
  private keepInline(key: string, src: string | undefined, drop: () => void): void {
    this.forgetInline(key);
    const chars = inlineImageChars(src);
    if (chars === 0) return;
    this.inline.set(key, { chars, drop });
    this.inlineChars += chars;
    while (this.inlineChars > HISTORY_LIMITS.inlineImageChars) {
      const [oldest, entry] = this.inline.entries().next().value!;
      this.forgetInline(oldest);
      entry.drop();
    }
  }

  /** Stops counting the inline image under `key` (its view was replaced or forgotten). */
  private forgetInline(key: string): void {
    const entry = this.inline.get(key);
    if (!entry) return;
    this.inline.delete(key);
    this.inlineChars -= entry.chars;
  }
}

/** The same view without its pixels: it still says what it was (a rendered tile, a frame). */
function dropImage<T extends { readonly src?: string; readonly imageDropped?: boolean }>(v: T): T {
  const { src: _src, ...rest } = v;
  return { ...rest, imageDropped: true } as T;
}

function withoutDropped<T extends { readonly imageDropped?: boolean }>(v: T): T {
  const { imageDropped: _dropped, ...rest } = v;
  return rest as T;
}

function isFinal(status: string | undefined): boolean {
  return status === 'rendered' || status === 'failed';
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function attribute(v: unknown): string | undefined {
  if (typeof v === 'string') return cut(v, 500).text;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

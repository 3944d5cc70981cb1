import { cut, previewData, type DataPreview } from './preview.js';
import { viewOf, type ChatView, type ClassifiedView, type CommandView, type FrameView, type RenderOrder, type RenderView, type TileView, type View } from './views.js';

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
          if (this.renders.size > HISTORY_LIMITS.renders) this.renders.delete(this.renders.keys().next().value!);
        }
        if (view.order) r.order = { ...r.order, ...defined(view.order) };
        if (view.tile) {
          const key = `${view.tile.tileX},${view.tile.tileY}`;
          const old = r.tiles.get(key);
          // A late status never hides a tile already rendered or failed.
          const keep = old && isFinal(old.status) && !isFinal(view.tile.status);
          r.tiles.set(key, { ...old, ...defined(view.tile), ...(keep ? { status: old.status } : {}) } as TileView);
          if (r.tiles.size > 4096) r.tiles.delete(r.tiles.keys().next().value!);
        }
        if (view.completed) r.completed = view.completed;
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
          if (this.trains.size > HISTORY_LIMITS.trains) this.trains.delete(this.trains.keys().next().value!);
        }
        if (view.kind === 'frame') t.frame = view;
        else if (view.kind === 'classified') t.classified = view;
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

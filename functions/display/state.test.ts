// The page's model (public/state.js, plain browser JavaScript with no DOM use) run under node:
// it keeps the same bounds as the server's history, however long a page stays open.
import { describe, expect, it } from 'vitest';
import { HISTORY_LIMITS, History } from './history.js';

interface Tile { tileX: number; tileY: number; status?: string; src?: string; imageDropped?: boolean; rect?: number[] }
interface PageState {
  byType: Map<string, number>;
  renders: Map<string, { tiles: Map<string, Tile> }>;
  records: { type: string }[];
  inlineChars: number;
}
interface StateModule {
  LIMITS: Record<string, number>;
  OTHER_TYPES: string;
  emptyState(): PageState;
  emptyDirty(): unknown;
  applySnapshot(snapshot: unknown): PageState;
  applyBatch(s: PageState, batch: unknown, dirty: unknown): void;
  typeMatches(s: PageState, record: { type: string }, type: string): boolean;
}

// A path in a variable: the page's scripts are JavaScript without declarations.
const load = async (): Promise<StateModule> => (await import(new URL('./public/state.js', import.meta.url).href)) as StateModule;

const record = (seq: number, type: string) => ({ seq, at: seq, id: `e${seq}`, type, source: '/t', extensions: {}, data: { kind: 'none' } });

describe('the page state', () => {
  it('keeps the limits of the server history', async () => {
    const { LIMITS } = await load();
    for (const name of ['records', 'types', 'renders', 'tiles', 'inlineImageChars', 'trains', 'commands', 'chat'] as const) expect(LIMITS[name], name).toBe(HISTORY_LIMITS[name]);
  });

  it('counts types past 200 as "(other types)", as the server does, and filters on them', async () => {
    const { applyBatch, applySnapshot, emptyDirty, OTHER_TYPES, typeMatches } = await load();
    const history = new History();
    const records = [];
    for (let i = 0; i < 300; i++) records.push(history.add({ specversion: '1.0', id: `e${i}`, type: `dev.eventyard.t${i % 260}`, source: '/t' }).record);
    // From batches alone, and from a snapshot then batches: the same counts as the server's.
    const s = applySnapshot({ total: 0, byType: {}, records: [], views: [], chatRate: [] });
    applyBatch(s, { total: 300, records, views: [] }, emptyDirty());
    expect(s.byType.size).toBe(HISTORY_LIMITS.types + 1);
    expect(Object.fromEntries(s.byType)).toEqual(history.snapshot().byType);
    expect(s.byType.get(OTHER_TYPES)).toBe(60);
    const again = applySnapshot(history.snapshot());
    applyBatch(again, { total: 302, records: [record(301, 'dev.eventyard.new'), record(302, 'dev.eventyard.t0')], views: [] }, emptyDirty());
    expect(again.byType.size).toBe(HISTORY_LIMITS.types + 1);
    expect(again.byType.get(OTHER_TYPES)).toBe(61);
    expect(again.byType.get('dev.eventyard.t0')).toBe(3);
    expect(typeMatches(again, record(1, 'dev.eventyard.t250'), OTHER_TYPES)).toBe(true);
    expect(typeMatches(again, record(1, 'dev.eventyard.t10'), OTHER_TYPES)).toBe(false);
    expect(typeMatches(again, record(1, 'dev.eventyard.t10'), 'dev.eventyard.t10')).toBe(true);
    expect(typeMatches(again, record(1, 'dev.eventyard.t10'), '')).toBe(true);
  });

  it('keeps at most 256 tiles per render and 32 MB of inline images, the oldest tiles losing their pixels', async () => {
    const { applyBatch, emptyDirty, emptyState } = await load();
    const s = emptyState();
    const src = `data:image/png;base64,${'A'.repeat(1_000_000)}`;
    const views = [];
    for (let i = 0; i < 300; i++) views.push({ kind: 'render', id: 'r', at: i, tile: { tileX: i % 20, tileY: Math.floor(i / 20), status: 'rendered', rect: [i, 0, 1, 1], src } });
    applyBatch(s, { total: 300, records: [], views }, emptyDirty());
    const tiles = [...s.renders.get('r')!.tiles.values()];
    expect(tiles).toHaveLength(HISTORY_LIMITS.tiles);
    expect(s.inlineChars).toBeLessThanOrEqual(HISTORY_LIMITS.inlineImageChars);
    const kept = Math.floor(HISTORY_LIMITS.inlineImageChars / src.length);
    expect(tiles.filter((t) => t.src).length).toBe(kept);
    expect(tiles.at(-1)).toMatchObject({ tileX: 299 % 20, src });
    expect(tiles[0]).toEqual({ tileX: 44 % 20, tileY: 2, status: 'rendered', rect: [44, 0, 1, 1], imageDropped: true });
    // A render pushed out takes its images' budget with it.
    for (let r = 0; r < HISTORY_LIMITS.renders; r++) applyBatch(s, { total: 300, records: [], views: [{ kind: 'render', id: `o${r}`, at: 1, order: { width: 1, height: 1 } }] }, emptyDirty());
    expect(s.inlineChars).toBe(0);
  });
});

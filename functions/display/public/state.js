// The page's model of what the display has seen: the snapshot, then batches applied in order.
// Bounded like the server's history, so a page left open for days stays small.

// The server's limits (functions/display/history.ts HISTORY_LIMITS): past 200 types the rest are
// counted as one, a render keeps 256 tiles (16 divisions at most), and inline images keep 32 MB of
// data in all, the oldest losing their pixels first.
export const LIMITS = { records: 1000, types: 200, renders: 12, tiles: 256, inlineImageChars: 32 * 1024 * 1024, trains: 8, commands: 20, chat: 200, rateSeconds: 120 };
export const OTHER_TYPES = '(other types)';

export function emptyState() {
  return {
    total: 0,
    byType: new Map(),
    records: [],
    renders: new Map(), // id → { id, at, order, tiles: Map, completed, failed, updated }
    trains: new Map(), // trainId → { frame, classified, commands: [] }
    chat: [],
    chatRate: new Map(), // epoch second → messages
    lastRender: undefined,
    lastTrain: undefined,
    inline: new Map(), // key → { chars, drop }: the inline images kept, oldest first
    inlineChars: 0,
  };
}

/** The views' changes since the page last drew: which parts need drawing again. */
export function emptyDirty() {
  return { stream: false, types: false, render: new Set(), train: false, chat: false };
}

export function applySnapshot(snapshot) {
  const s = emptyState();
  s.total = snapshot.total;
  for (const [type, n] of Object.entries(snapshot.byType)) countType(s, type, n);
  s.records = snapshot.records.slice(-LIMITS.records);
  const dirty = emptyDirty();
  for (const view of snapshot.views) applyView(s, view, dirty);
  s.chatRate = new Map(snapshot.chatRate);
  return s;
}

export function applyBatch(s, batch, dirty) {
  s.total = Math.max(s.total, batch.total);
  for (const r of batch.records) {
    s.records.push(r);
    countType(s, r.type, 1);
  }
  if (s.records.length > LIMITS.records) s.records.splice(0, s.records.length - LIMITS.records);
  dirty.stream = true;
  dirty.types = true;
  for (const view of batch.views) applyView(s, view, dirty);
}

/** Counts events of a type, folding types past LIMITS.types into one as the server does. */
function countType(s, type, n) {
  const key = s.byType.has(type) || s.byType.size < LIMITS.types ? type : OTHER_TYPES;
  s.byType.set(key, (s.byType.get(key) ?? 0) + n);
}

/** Whether a record is of the type picked in the filter ("(other types)": one not counted by name). */
export function typeMatches(s, record, type) {
  return !type || record.type === type || (type === OTHER_TYPES && !s.byType.has(record.type));
}

const inlineChars = (src) => (typeof src === 'string' && src.startsWith('data:') ? src.length : 0);

/** Counts an inline image kept under key, then drops the oldest images' pixels past the budget. */
function keepInline(s, key, src, drop) {
  forgetInline(s, key);
  const chars = inlineChars(src);
  if (chars === 0) return;
  s.inline.set(key, { chars, drop });
  s.inlineChars += chars;
  while (s.inlineChars > LIMITS.inlineImageChars) {
    const [oldest, entry] = s.inline.entries().next().value;
    forgetInline(s, oldest);
    entry.drop();
  }
}

function forgetInline(s, key) {
  const entry = s.inline.get(key);
  if (!entry) return;
  s.inline.delete(key);
  s.inlineChars -= entry.chars;
}

function dropImage(v) {
  const { src: _src, ...rest } = v;
  return { ...rest, imageDropped: true };
}

function applyView(s, v, dirty) {
  switch (v.kind) {
    case 'render': {
      let r = s.renders.get(v.id);
      if (!r) {
        r = { id: v.id, at: v.at, order: {}, tiles: new Map(), completed: undefined, failed: undefined };
        s.renders.set(v.id, r);
        if (s.renders.size > LIMITS.renders) {
          const [oldId, old] = s.renders.entries().next().value;
          s.renders.delete(oldId);
          for (const key of old.tiles.keys()) forgetInline(s, `tile\u0000${oldId}\u0000${key}`);
          forgetInline(s, `completed\u0000${oldId}`);
        }
      }
      const render = r;
      r.updated = v.at;
      if (v.order) r.order = { ...r.order, ...v.order };
      if (v.tile) {
        const key = `${v.tile.tileX},${v.tile.tileY}`;
        const old = r.tiles.get(key);
        const final = (st) => st === 'rendered' || st === 'failed';
        const tile = { ...old, ...v.tile };
        if (old && final(old.status) && !final(v.tile.status)) tile.status = old.status;
        if (v.tile.src !== undefined) delete tile.imageDropped;
        r.tiles.set(key, tile);
        if (v.tile.src !== undefined) {
          keepInline(s, `tile\u0000${v.id}\u0000${key}`, tile.src, () => {
            const t = render.tiles.get(key);
            if (t?.src !== undefined) render.tiles.set(key, dropImage(t));
          });
        }
        if (r.tiles.size > LIMITS.tiles) {
          const oldest = r.tiles.keys().next().value;
          r.tiles.delete(oldest);
          forgetInline(s, `tile\u0000${v.id}\u0000${oldest}`);
        }
      }
      if (v.completed) {
        r.completed = v.completed;
        keepInline(s, `completed\u0000${v.id}`, v.completed.src, () => {
          if (render.completed?.src !== undefined) render.completed = dropImage(render.completed);
        });
      }
      if (v.failed) r.failed = v.failed;
      s.lastRender = v.id;
      dirty.render.add(v.id);
      return;
    }
    case 'frame':
    case 'classified':
    case 'command': {
      let t = s.trains.get(v.trainId);
      if (!t) {
        t = { trainId: v.trainId, frame: undefined, classified: undefined, commands: [] };
        s.trains.set(v.trainId, t);
        if (s.trains.size > LIMITS.trains) {
          const oldest = s.trains.keys().next().value;
          s.trains.delete(oldest);
          forgetInline(s, `frame\u0000${oldest}`);
        }
      }
      const train = t;
      if (v.kind === 'frame') {
        t.frame = v;
        keepInline(s, `frame\u0000${v.trainId}`, v.src, () => {
          if (train.frame?.src !== undefined) train.frame = dropImage(train.frame);
        });
      } else if (v.kind === 'classified') t.classified = v;
      else {
        t.commands.push(v);
        if (t.commands.length > LIMITS.commands) t.commands.shift();
      }
      s.lastTrain = v.trainId;
      dirty.train = true;
      return;
    }
    case 'chat': {
      s.chat.push(v);
      if (s.chat.length > LIMITS.chat) s.chat.shift();
      const second = Math.floor(v.at / 1000);
      s.chatRate.set(second, (s.chatRate.get(second) ?? 0) + 1);
      if (s.chatRate.size > LIMITS.rateSeconds) for (const k of s.chatRate.keys()) if (k <= second - LIMITS.rateSeconds) s.chatRate.delete(k);
      dirty.chat = true;
      return;
    }
  }
}

/** Image URLs the page loads: the display's own blob route or an inline image, nothing else. */
export function safeSrc(src) {
  return typeof src === 'string' && (/^blobs\/[A-Za-z0-9._\-/]+$/.test(src) || /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+=*$/.test(src)) ? src : undefined;
}

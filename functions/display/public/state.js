// The page's model of what the display has seen: the snapshot, then batches applied in order.
// Bounded like the server's history, so a page left open for days stays small.

export const LIMITS = { records: 1000, renders: 12, trains: 8, commands: 20, chat: 200, rateSeconds: 120 };

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
  };
}

/** The views' changes since the page last drew: which parts need drawing again. */
export function emptyDirty() {
  return { stream: false, types: false, render: new Set(), train: false, chat: false };
}

export function applySnapshot(snapshot) {
  const s = emptyState();
  s.total = snapshot.total;
  for (const [type, n] of Object.entries(snapshot.byType)) s.byType.set(type, n);
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
    s.byType.set(r.type, (s.byType.get(r.type) ?? 0) + 1);
  }
  if (s.records.length > LIMITS.records) s.records.splice(0, s.records.length - LIMITS.records);
  dirty.stream = true;
  dirty.types = true;
  for (const view of batch.views) applyView(s, view, dirty);
}

function applyView(s, v, dirty) {
  switch (v.kind) {
    case 'render': {
      let r = s.renders.get(v.id);
      if (!r) {
        r = { id: v.id, at: v.at, order: {}, tiles: new Map(), completed: undefined, failed: undefined };
        s.renders.set(v.id, r);
        if (s.renders.size > LIMITS.renders) s.renders.delete(s.renders.keys().next().value);
      }
      r.updated = v.at;
      if (v.order) r.order = { ...r.order, ...v.order };
      if (v.tile) {
        const key = `${v.tile.tileX},${v.tile.tileY}`;
        const old = r.tiles.get(key);
        const final = (st) => st === 'rendered' || st === 'failed';
        const tile = { ...old, ...v.tile };
        if (old && final(old.status) && !final(v.tile.status)) tile.status = old.status;
        r.tiles.set(key, tile);
      }
      if (v.completed) r.completed = v.completed;
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
        if (s.trains.size > LIMITS.trains) s.trains.delete(s.trains.keys().next().value);
      }
      if (v.kind === 'frame') t.frame = v;
      else if (v.kind === 'classified') t.classified = v;
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

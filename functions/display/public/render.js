// The render view: the frame of one order assembling tile by tile on a canvas, with per-order
// progress, failed tiles, and the completed image with its wall time.
import { $, h, seconds } from './dom.js';
import { LIMITS, safeSrc } from './state.js';

/** The canvas is at most this wide and tall; a larger frame is drawn scaled down to fit. */
const MAX_CANVAS = 4096;

const STATUS_FILL = {
  requested: 'rgba(139,147,167,0.10)',
  received: 'rgba(124,156,255,0.18)',
  rendering: 'rgba(255,180,84,0.30)',
  failed: 'rgba(255,92,92,0.45)',
  // Rendered, but its inline image was dropped to keep memory bounded: shown done, without pixels.
  dropped: 'rgba(79,209,165,0.16)',
};

export class RenderView {
  constructor() {
    this.orders = $('render-orders');
    this.head = $('render-head');
    this.canvas = $('render-canvas');
    this.overlay = $('render-overlay');
    this.grid = $('render-grid');
    this.failedList = $('render-failed');
    this.images = new Map(); // src → { img, loaded }, least recently used first
    this.imageChars = 0; // characters of the data: URLs among those keys
    this.pinned = undefined; // the order the user picked; otherwise the latest
    this.orders.addEventListener('click', (e) => {
      const card = e.target.closest('.order');
      if (!card) return;
      this.pinned = card.dataset.id;
      this.changed?.();
    });
  }

  onChange(fn) {
    this.changed = fn;
  }

  draw(state, dirty, all) {
    if (!all && dirty.render.size === 0) return;
    const orders = [...state.renders.values()].sort((a, b) => b.at - a.at);
    const selected = state.renders.get(this.pinned) ?? state.renders.get(state.lastRender) ?? orders[0];
    this.orders.replaceChildren(...orders.map((r) => this.card(r, r === selected)));
    if (orders.length === 0) this.orders.append(h('p', { class: 'empty' }, 'No render order yet. POST a dev.eventyard.render.requested event to the broker.'));
    if (selected && (all || dirty.render.has(selected.id))) this.drawOrder(selected);
    if (!selected) this.head.replaceChildren(h('p', { class: 'muted' }, 'Tiles appear here as they are rendered.'));
  }

  card(r, selected) {
    const p = progress(r);
    const bar = h('div', { class: 'bar' }, h('span', { class: 'done' }), h('span', { class: 'bad' }));
    bar.children[0].style.width = `${(100 * p.rendered) / Math.max(p.total, 1)}%`;
    bar.children[1].style.width = `${(100 * p.failed) / Math.max(p.total, 1)}%`;
    return h(
      'button',
      { class: `order${selected ? ' selected' : ''}`, data: { id: r.id, state: p.state } },
      h('span', { class: 'order-id' }, r.id),
      h('span', { class: 'muted' }, [r.order.scene, r.order.width && r.order.height ? `${r.order.width}×${r.order.height}` : undefined].filter(Boolean).join(' · ')),
      bar,
      h('span', { class: 'order-line' }, `${p.rendered}/${p.total} tiles`, p.failed ? h('span', { class: 'bad-text' }, ` · ${p.failed} failed`) : null, r.completed?.wallMs !== undefined ? ` · ${seconds(r.completed.wallMs)}` : null),
    );
  }

  drawOrder(r) {
    const p = progress(r);
    const { width, height, sx, sy, frameWidth, frameHeight } = dims(r);
    for (const c of [this.canvas, this.overlay]) {
      if (c.width !== width || c.height !== height) {
        c.width = width;
        c.height = height;
      }
    }
    // Tiles first, then the completed image over them once it has loaded.
    const ctx = this.canvas.getContext('2d');
    ctx.fillStyle = '#0d1017';
    ctx.fillRect(0, 0, width, height);
    const o = this.overlay.getContext('2d');
    o.clearRect(0, 0, width, height);
    let drawn = 0;
    for (const tile of r.tiles.values()) {
      const [x, y, w, hgt] = rect(r, tile, width, height, sx, sy);
      const img = this.image(tile.src);
      const fill = STATUS_FILL[tile.imageDropped && tile.status === 'rendered' ? 'dropped' : tile.status];
      if (img) {
        ctx.drawImage(img, x, y, w, hgt);
        drawn++;
      } else if (fill) {
        o.fillStyle = fill;
        o.fillRect(x, y, w, hgt);
      }
      if (tile.status === 'failed') {
        o.strokeStyle = '#ff5c5c';
        o.lineWidth = 2;
        o.strokeRect(x + 1, y + 1, w - 2, hgt - 2);
        o.beginPath();
        o.moveTo(x + 4, y + 4);
        o.lineTo(x + w - 4, y + hgt - 4);
        o.moveTo(x + w - 4, y + 4);
        o.lineTo(x + 4, y + hgt - 4);
        o.stroke();
      } else if (tile.status === 'rendering' || tile.status === 'received') {
        o.strokeStyle = tile.status === 'rendering' ? 'rgba(255,180,84,0.8)' : 'rgba(124,156,255,0.6)';
        o.lineWidth = 1;
        o.strokeRect(x + 0.5, y + 0.5, w - 1, hgt - 1);
      }
    }
    const done = r.completed && this.image(r.completed.src);
    if (done) {
      ctx.drawImage(done, 0, 0, width, height);
      o.clearRect(0, 0, width, height);
    }
    this.canvas.dataset.tilesDrawn = String(drawn);
    this.canvas.dataset.completedDrawn = String(Boolean(done));

    const o2 = r.order;
    const facts = [o2.scene, `${frameWidth}×${frameHeight}`, o2.divisions ? `${o2.divisions}×${o2.divisions} tiles` : undefined, o2.samples ? `${o2.samples} samples` : undefined].filter(Boolean).join(' · ');
    const label = { rendering: 'rendering', completed: 'completed', failed: 'failed', waiting: 'waiting' }[p.state];
    this.head.dataset.state = p.state;
    this.head.dataset.rendered = String(p.rendered);
    this.head.dataset.failed = String(p.failed);
    this.head.replaceChildren(
      h('div', { class: 'head-line' }, h('span', { class: `badge ${p.state}` }, label), h('b', { class: 'order-id' }, r.id), h('span', { class: 'muted' }, facts)),
      h('div', { class: 'head-line' },
        h('span', { class: 'big' }, `${p.rendered} / ${p.total}`), h('span', { class: 'muted' }, ' tiles rendered'),
        p.failed ? h('span', { class: 'bad-text' }, ` · ${p.failed} failed`) : null,
        p.avgMs !== undefined ? h('span', { class: 'muted' }, ` · ${seconds(p.avgMs)} per tile`) : null,
        r.completed ? h('span', { class: 'wall' }, `completed in ${seconds(r.completed.wallMs) || '?'}`) : null,
        r.failed ? h('span', { class: 'bad-text' }, ` · order failed: ${r.failed.reason}`) : null,
      ),
    );
    this.drawGrid(r, p);
    const failed = [...r.tiles.values()].filter((t) => t.status === 'failed');
    this.failedList.replaceChildren(
      ...(failed.length ? [h('h4', null, 'Failed tiles'), h('ul', { class: 'failed' }, failed.slice(0, 50).map((t) => h('li', null, `tile ${t.tileX},${t.tileY}`, t.reason ? ` — ${t.reason}` : '')))] : []),
    );
  }

  drawGrid(r, p) {
    const d = r.order.divisions ?? Math.max(0, ...[...r.tiles.values()].map((t) => Math.max(t.tileX, t.tileY) + 1));
    const cells = [];
    if (d > 0 && d <= 32) {
      for (let y = 0; y < d; y++) {
        for (let x = 0; x < d; x++) {
          const t = r.tiles.get(`${x},${y}`);
          const status = t?.status ?? 'waiting';
          cells.push(h('span', { class: 'cell', data: { status }, title: `tile ${x},${y}: ${status}${t?.renderMs !== undefined ? ` in ${seconds(t.renderMs)}` : ''}` }));
        }
      }
      this.grid.style.gridTemplateColumns = `repeat(${d}, 1fr)`;
    }
    this.grid.replaceChildren(...cells);
    this.grid.dataset.total = String(p.total);
  }

  /** The loaded image for a src, loading it on first use (a redraw follows when it arrives). */
  image(src) {
    const safe = safeSrc(src);
    if (!safe) return undefined;
    let entry = this.images.get(safe);
    if (entry) {
      // Most recently used last: what is on screen is the last to go.
      this.images.delete(safe);
      this.images.set(safe, entry);
    } else {
      const img = new Image();
      const e = { img, loaded: false };
      entry = e;
      img.addEventListener('load', () => {
        e.loaded = true;
        this.changed?.();
      });
      img.src = safe;
      this.images.set(safe, e);
      if (safe.startsWith('data:')) this.imageChars += safe.length;
      // Bounded in count and in inline data (twice what the state keeps, so an order on screen fits).
      while (this.images.size > 1 && (this.images.size > 3000 || this.imageChars > 2 * LIMITS.inlineImageChars)) {
        const oldest = this.images.keys().next().value;
        this.images.delete(oldest);
        if (oldest.startsWith('data:')) this.imageChars -= oldest.length;
      }
    }
    return entry.loaded ? entry.img : undefined;
  }
}

function progress(r) {
  const tiles = [...r.tiles.values()];
  const rendered = tiles.filter((t) => t.status === 'rendered').length;
  const failed = tiles.filter((t) => t.status === 'failed').length;
  const d = r.order.divisions;
  const total = r.completed?.tiles ?? (d ? d * d : tiles.length);
  const times = tiles.map((t) => t.renderMs).filter((ms) => ms !== undefined);
  const avgMs = times.length ? times.reduce((a, b) => a + b, 0) / times.length : undefined;
  const state = r.completed ? 'completed' : r.failed ? 'failed' : tiles.length ? 'rendering' : 'waiting';
  return { rendered, failed, total, avgMs, state };
}

/**
 * The canvas size and the scale from frame pixels to it: the frame as ordered, as completed, or as
 * far as the tiles reach, scaled down (keeping its shape) to at most MAX_CANVAS on each side.
 */
function dims(r) {
  let w = r.order.width ?? r.completed?.width;
  let hgt = r.order.height ?? r.completed?.height;
  if (!(w && hgt)) {
    w = 0;
    hgt = 0;
    for (const t of r.tiles.values()) if (t.rect) {
      w = Math.max(w, t.rect[0] + t.rect[2]);
      hgt = Math.max(hgt, t.rect[1] + t.rect[3]);
    }
    if (!(w && hgt)) return { width: 640, height: 360, sx: 1, sy: 1, frameWidth: 640, frameHeight: 360 };
  }
  const scale = Math.min(1, MAX_CANVAS / w, MAX_CANVAS / hgt);
  const width = Math.max(1, Math.round(w * scale));
  const height = Math.max(1, Math.round(hgt * scale));
  return { width, height, sx: width / w, sy: height / hgt, frameWidth: w, frameHeight: hgt };
}

/** Where a tile sits on the canvas: its frame rectangle as the rendered event says, scaled, else its share of the grid. */
function rect(r, t, width, height, sx, sy) {
  if (t.rect) {
    const [x, y, w, hgt] = t.rect;
    return [x * sx, y * sy, w * sx, hgt * sy];
  }
  const d = r.order.divisions ?? Math.max(1, ...[...r.tiles.values()].map((x) => Math.max(x.tileX, x.tileY) + 1));
  const x0 = Math.floor((width * t.tileX) / d);
  const y0 = Math.floor((height * t.tileY) / d);
  return [x0, y0, Math.floor((width * (t.tileX + 1)) / d) - x0, Math.floor((height * (t.tileY + 1)) / d) - y0];
}

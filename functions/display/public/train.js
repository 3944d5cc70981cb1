// The train view: the latest camera frame with the boxes and labels of its classification, and
// the command the train got (go, slow or stop) with its reason.
import { $, clock, h, seconds } from './dom.js';
import { safeSrc } from './state.js';

const COLORS = { stop: '#ff5c5c', slow: '#ffb454', go: '#4fd1a5' };

export class TrainView {
  constructor() {
    this.canvas = $('train-canvas');
    this.head = $('train-head');
    this.command = $('train-command');
    this.predictions = $('train-predictions');
    this.commands = $('train-commands');
    this.frames = new Map(); // src → { img, loaded }
  }

  onChange(fn) {
    this.changed = fn;
  }

  draw(state, dirty, all) {
    if (!all && !dirty.train) return;
    const train = state.trains.get(state.lastTrain) ?? [...state.trains.values()].at(-1);
    if (!train) {
      this.head.replaceChildren(h('p', { class: 'muted' }, 'No train yet. Frames (dev.eventyard.frame.captured), their classifications and commands show here.'));
      this.drawFrame(undefined, undefined);
      return;
    }
    const { frame, classified } = train;
    const last = train.commands.at(-1);
    this.head.replaceChildren(
      h('div', { class: 'head-line' },
        h('b', null, `train ${train.trainId}`),
        h('span', { class: 'muted' }, [
          frame ? `frame #${frame.seq} at ${clock(frame.at)}` : 'no frame yet',
          classified ? `classified #${classified.seq}${classified.inferMs !== undefined ? ` in ${seconds(classified.inferMs)}` : ''}${classified.model ? ` by ${classified.model}` : ''}` : undefined,
        ].filter(Boolean).join(' · ')),
        state.trains.size > 1 ? h('span', { class: 'muted' }, ` · ${state.trains.size} trains seen, showing the latest`) : null,
      ),
    );
    this.drawFrame(frame, classified);
    this.command.dataset.action = last?.action ?? 'none';
    this.command.replaceChildren(
      h('span', { class: 'action' }, last ? last.action.toUpperCase() : '—'),
      h('span', { class: 'reason' }, last ? `${last.reason ?? ''}${last.reason ? ' · ' : ''}frame #${last.seq}` : 'waiting for a train.command'),
    );
    const preds = classified?.predictions ?? [];
    this.predictions.replaceChildren(
      ...(preds.length
        ? [...preds].sort((a, b) => (b.score ?? 0) - (a.score ?? 0)).map((p) => {
            const bar = h('span', { class: 'score-bar' }, h('span', null));
            bar.firstChild.style.width = `${Math.round(100 * Math.max(0, Math.min(1, p.score ?? 0)))}%`;
            bar.firstChild.style.background = COLORS[p.label] ?? '#7c9cff';
            return h('div', { class: 'prediction', data: { label: p.label } }, h('span', { class: 'label' }, p.label), bar, h('span', { class: 'num' }, p.score !== undefined ? p.score.toFixed(2) : ''));
          })
        : [h('p', { class: 'muted' }, classified ? 'nothing seen in this frame' : 'no classification yet')]),
    );
    this.commands.replaceChildren(...[...train.commands].reverse().map((c) => h('span', { class: 'chip', data: { action: c.action }, title: `${clock(c.at)} frame #${c.seq}: ${c.reason ?? ''}` }, c.action)));
  }

  drawFrame(frame, classified) {
    const c = this.canvas;
    const width = Math.min(frame?.width ?? 600, 4096);
    const height = Math.min(frame?.height ?? 400, 4096);
    if (c.width !== width || c.height !== height) {
      c.width = width;
      c.height = height;
    }
    const ctx = c.getContext('2d');
    ctx.fillStyle = '#0d1017';
    ctx.fillRect(0, 0, width, height);
    const img = frame && this.image(frame.src);
    if (img) ctx.drawImage(img, 0, 0, width, height);
    else {
      ctx.fillStyle = '#5b6275';
      ctx.font = '16px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.fillText(frame?.imageDropped ? 'frame image not kept (memory bound)' : frame ? 'loading frame…' : 'no camera frame yet', width / 2, height / 2);
      ctx.textAlign = 'start';
    }
    // Which frame is on screen (the previous one stays up while the next loads).
    c.dataset.frame = img && img === this.frames.get(safeSrc(frame.src))?.img ? String(frame.seq) : '';
    let boxes = 0;
    for (const p of classified?.predictions ?? []) {
      if (!p.box) continue;
      // Fractions of the frame when every value is at most 1, pixels otherwise.
      const scale = p.box.every((v) => v <= 1) ? [width, height, width, height] : [1, 1, 1, 1];
      const [x, y, w, hgt] = p.box.map((v, i) => v * scale[i]);
      const color = COLORS[p.label] ?? '#7c9cff';
      ctx.strokeStyle = color;
      ctx.lineWidth = 3;
      ctx.strokeRect(x, y, w, hgt);
      const text = `${p.label}${p.score !== undefined ? ` ${p.score.toFixed(2)}` : ''}`;
      ctx.font = 'bold 15px system-ui, sans-serif';
      const tw = ctx.measureText(text).width + 10;
      const ty = y >= 22 ? y - 22 : y + hgt;
      ctx.fillStyle = color;
      ctx.fillRect(x - 1.5, ty, tw, 22);
      ctx.fillStyle = '#0d1017';
      ctx.fillText(text, x + 4, ty + 16);
      boxes++;
    }
    c.dataset.boxes = String(boxes);
  }

  image(src) {
    const safe = safeSrc(src);
    if (!safe) return undefined;
    let entry = this.frames.get(safe);
    if (!entry) {
      const img = new Image();
      entry = { img, loaded: false };
      img.addEventListener('load', () => {
        entry.loaded = true;
        this.previous = img;
        this.changed?.();
      });
      img.src = safe;
      this.frames.set(safe, entry);
      // Frames come ten a second: keep only the last few.
      while (this.frames.size > 4) this.frames.delete(this.frames.keys().next().value);
    }
    return entry.loaded ? entry.img : this.previous;
  }
}

// The chat view: scored messages, newest first, and a sparkline of messages per second.
import { $, clock, h, seconds } from './dom.js';

const MAX_SHOWN = 200;

export class ChatView {
  constructor() {
    this.spark = $('chat-spark');
    this.list = $('chat-list');
    this.stats = $('chat-stats');
    this.rows = new WeakMap();
  }

  /** The sparkline moves with the clock even when no message comes. */
  tick() {
    this.clockMoved = true;
  }

  draw(state, dirty, all) {
    if (!all && !dirty.chat && !this.clockMoved) return;
    this.clockMoved = false;
    this.drawSpark(state.chatRate);
    if (!all && !dirty.chat) return;
    const shown = state.chat.slice(-MAX_SHOWN).reverse();
    this.list.replaceChildren(...shown.map((m) => this.row(m)));
    if (shown.length === 0) this.list.append(h('p', { class: 'empty' }, 'No chat message yet. Scored messages (dev.eventyard.chat.scored) show here.'));
    const flagged = state.chat.filter((m) => m.moderation?.flagged || /flag|toxic|block/i.test(m.moderation?.label ?? '')).length;
    const scores = state.chat.map((m) => m.sentiment?.score).filter((s) => s !== undefined);
    const avg = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : undefined;
    const infer = state.chat.map((m) => m.inferMs).filter((s) => s !== undefined);
    this.stats.replaceChildren(
      stat(state.chat.length, 'recent messages'),
      stat(flagged, 'flagged'),
      stat(avg === undefined ? '–' : avg.toFixed(2), 'mean sentiment'),
      stat(infer.length ? seconds(infer.reduce((a, b) => a + b, 0) / infer.length) : '–', 'mean scoring time'),
    );
  }

  row(m) {
    let row = this.rows.get(m);
    if (row) return row;
    const tone = sentimentTone(m.sentiment);
    const flagged = m.moderation?.flagged || /flag|toxic|block/i.test(m.moderation?.label ?? '');
    row = h(
      'div',
      { class: `message${flagged ? ' flagged' : ''}`, role: 'listitem' },
      h('div', { class: 'meta' }, h('b', { class: 'user' }, m.user ?? 'someone'), m.room ? h('span', { class: 'muted' }, ` in ${m.room}`) : null, h('span', { class: 'muted time' }, clock(m.at))),
      h('div', { class: 'text' }, m.text),
      h('div', { class: 'scores' },
        m.sentiment ? h('span', { class: 'chip', data: { tone } }, `sentiment ${scoreText(m.sentiment)}`) : null,
        m.moderation ? h('span', { class: 'chip', data: { tone: flagged ? 'bad' : 'ok' } }, `moderation ${scoreText(m.moderation)}`) : null,
        m.language ? h('span', { class: 'chip' }, m.language) : null,
        m.inferMs !== undefined ? h('span', { class: 'muted' }, seconds(m.inferMs)) : null,
      ),
    );
    this.rows.set(m, row);
    return row;
  }

  drawSpark(rate) {
    const c = this.spark;
    const width = c.clientWidth || c.width;
    if (c.width !== width) c.width = width;
    const ctx = c.getContext('2d');
    ctx.clearRect(0, 0, c.width, c.height);
    const now = Math.floor(Date.now() / 1000);
    const values = [];
    for (let s = now - 59; s <= now; s++) values.push(rate.get(s) ?? 0);
    const max = Math.max(1, ...values);
    const step = c.width / values.length;
    ctx.fillStyle = 'rgba(79,209,165,0.15)';
    ctx.strokeStyle = '#4fd1a5';
    ctx.lineWidth = 2;
    ctx.beginPath();
    values.forEach((v, i) => {
      const x = i * step + step / 2;
      const y = c.height - 6 - ((c.height - 14) * v) / max;
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
    ctx.lineTo(c.width - step / 2, c.height);
    ctx.lineTo(step / 2, c.height);
    ctx.fill();
    ctx.fillStyle = '#c9d1e3';
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillText(`${values.at(-2)}/s now · peak ${max}/s`, 6, 14);
    c.dataset.last = String(values.slice(-5).reduce((a, b) => a + b, 0));
  }
}

function stat(value, label) {
  return h('div', { class: 'stat-card' }, h('b', null, String(value)), h('span', { class: 'muted' }, label));
}

function scoreText(s) {
  return [s.label, s.score !== undefined ? s.score.toFixed(2) : undefined, s.flagged !== undefined && s.label === undefined ? (s.flagged ? 'flagged' : 'ok') : undefined].filter(Boolean).join(' ');
}

function sentimentTone(s) {
  if (!s) return 'none';
  const label = (s.label ?? '').toLowerCase();
  if (/pos/.test(label)) return 'ok';
  if (/neg/.test(label)) return 'bad';
  if (s.score === undefined) return 'none';
  return s.score > 0.05 ? 'ok' : s.score < -0.05 ? 'bad' : 'none';
}

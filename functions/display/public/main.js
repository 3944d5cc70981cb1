// The dashboard: one Server-Sent Events stream from the display function (a snapshot, then
// batches of new events), applied to the page's state at once and drawn at most once per frame,
// only for the view on screen. A burst of events costs a few draws a second, not one per event.
import { $ } from './dom.js';
import { applyBatch, applySnapshot, emptyDirty, emptyState } from './state.js';
import { StreamView } from './stream.js';
import { RenderView } from './render.js';
import { TrainView } from './train.js';
import { ChatView } from './chat.js';
import { RuntimeView, runtimeApiBase } from './runtime.js';

let state = emptyState();
let dirty = emptyDirty();
let everything = true; // the next draw redraws every part (after a snapshot or a switch of view)
let scheduled = false;
const rateSamples = [];

const apiBase = runtimeApiBase();
const views = {
  stream: new StreamView(apiBase),
  render: new RenderView(),
  train: new TrainView(),
  chat: new ChatView(),
  runtime: apiBase === undefined ? undefined : new RuntimeView(apiBase),
};
let current = 'stream';

function schedule() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(draw);
}

function draw() {
  scheduled = false;
  const d = dirty;
  dirty = emptyDirty();
  const all = everything;
  everything = false;
  $('total').textContent = state.total.toLocaleString('en-US');
  views[current]?.draw(state, d, all);
  document.body.dataset.total = String(state.total);
}

function show(name) {
  if (!views[name]) name = 'stream';
  if (current !== name) views[current]?.hide?.();
  current = name;
  for (const tab of document.querySelectorAll('.tabs [role=tab]')) {
    const on = tab.dataset.view === name;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
  }
  for (const section of document.querySelectorAll('main > .view')) section.hidden = section.dataset.view !== name;
  views[name].show?.();
  if (location.hash.slice(1) !== name) history.replaceState(null, '', `#${name}`);
  everything = true;
  schedule();
}

function connect() {
  const conn = $('conn');
  const source = new EventSource('live');
  source.addEventListener('open', () => {
    conn.dataset.state = 'live';
    conn.textContent = 'live';
  });
  source.addEventListener('error', () => {
    // EventSource reconnects by itself; the next snapshot replaces the state.
    conn.dataset.state = 'reconnecting';
    conn.textContent = 'reconnecting';
  });
  source.addEventListener('snapshot', (m) => {
    state = applySnapshot(JSON.parse(m.data));
    for (const v of Object.values(views)) v?.reset?.();
    everything = true;
    schedule();
  });
  source.addEventListener('batch', (m) => {
    applyBatch(state, JSON.parse(m.data), dirty);
    schedule();
  });
}

/** Events per second over the last five seconds, from the total. */
function tickRate() {
  const now = performance.now();
  rateSamples.push([now, state.total]);
  while (rateSamples.length > 1 && now - rateSamples[0][0] > 5000) rateSamples.shift();
  const [t0, n0] = rateSamples[0];
  const rate = now - t0 > 0 ? ((state.total - n0) * 1000) / (now - t0) : 0;
  $('rate').textContent = rate >= 10 ? String(Math.round(rate)) : rate.toFixed(1);
  views.chat.tick?.();
  if (current === 'chat') schedule();
}

for (const tab of document.querySelectorAll('.tabs [role=tab]')) tab.addEventListener('click', () => show(tab.dataset.view));
window.addEventListener('hashchange', () => show(location.hash.slice(1)));
for (const v of Object.values(views)) v?.onChange?.(() => {
  everything = true;
  schedule();
});
if (views.runtime) $('tab-runtime').hidden = false;
show(location.hash.slice(1) || 'stream');
connect();
setInterval(tickRate, 1000);

// Builds DOM from values as text only: no innerHTML anywhere, so an event value can never become markup.

/**
 * h('div', { class: 'row', data: { seq: 1 }, title: 'x' }, 'text', child)
 * Props: class, data (dataset), hidden, and plain attributes. Event handler attributes are refused.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') el.className = value;
      else if (name === 'data') for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
      else if (name === 'hidden') el.hidden = Boolean(value);
      else if (/^on/i.test(name) || name === 'style' || name === 'src' || name === 'href') throw new Error(`h: attribute ${name} is not allowed`);
      else el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.append(child);
    else el.append(document.createTextNode(String(child)));
  }
}

export const $ = (id) => document.getElementById(id);

export function clock(ms) {
  const d = new Date(ms);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function seconds(ms) {
  if (ms === undefined || ms === null) return '';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** The family of an event type, for its colour: render, frame, train, chat or other. */
export function family(type) {
  const m = /^dev\.eventyard\.([a-z]+)\./.exec(type ?? '');
  return m && ['render', 'frame', 'train', 'chat'].includes(m[1]) ? m[1] : 'other';
}

/**
 * Keeps a <select>'s options in step with a list of [value, label], keeping the selection. The
 * options are made again only when the set of values changes; a changed label (a count) is updated
 * in place, so an open list or a picked option is not disturbed by every batch of events.
 */
export function syncOptions(select, allLabel, entries) {
  const key = entries.map(([v]) => v).sort().join('\u0000');
  if (select.dataset.key === key && select.options.length === entries.length + 1) {
    const labels = new Map(entries);
    for (const option of select.options) {
      if (option.value === '') continue;
      const label = labels.get(option.value);
      if (label !== undefined && option.textContent !== label) option.textContent = label;
    }
    return;
  }
  const keep = select.value;
  select.dataset.key = key;
  select.replaceChildren(h('option', { value: '' }, allLabel), ...entries.map(([v, l]) => h('option', { value: v }, l)));
  select.value = entries.some(([v]) => v === keep) ? keep : '';
}

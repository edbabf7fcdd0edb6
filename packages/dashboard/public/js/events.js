// Live event log: orders, fills, halts, resyncs, feed changes, errors; filter by kind.
import { $, el, fmtTime } from './util.js';

const KINDS = ['order', 'fill', 'halt', 'resync', 'feed', 'error', 'warn', 'info'];
const KEEP = 1000;

export function createEvents() {
  const entries = [];
  const hidden = new Set();
  let dropped = 0;
  const bar = $('event-kinds');
  for (const k of KINDS) {
    const box = el('input', { type: 'checkbox', checked: '' });
    box.addEventListener('change', () => {
      if (box.checked) hidden.delete(k);
      else hidden.add(k);
      render();
    });
    bar.append(el('label', { class: `k-${k}` }, box, ` ${k}`));
  }
  const note = el('span', { class: 'muted' });
  bar.append(note);

  function line(e) {
    return el(
      'div',
      { class: `ev k-${e.kind}`, 'data-kind': e.kind, title: JSON.stringify(e.data) },
      `${fmtTime(e.ts)} `,
      el('span', { class: 'k', text: e.kind }),
      ` ${e.stage}${e.partition >= 0 ? `[${e.partition}]` : ''} `,
      el('span', { text: e.text }),
    );
  }

  function render() {
    if ($('view-events').classList.contains('hidden')) return;
    const shown = entries
      .filter((e) => !hidden.has(e.kind))
      .slice(-300)
      .reverse();
    $('event-log').replaceChildren(...shown.map(line));
    note.textContent = `${entries.length} kept${dropped ? ` · ${dropped} not shown (burst)` : ''}`;
  }

  return {
    onEvents(list, lost) {
      const seen = new Set(entries.map((e) => e.seq));
      for (const e of list) if (!seen.has(e.seq)) entries.push(e);
      if (entries.length > KEEP) entries.splice(0, entries.length - KEEP);
      dropped += lost;
      render();
    },
    show: render,
  };
}

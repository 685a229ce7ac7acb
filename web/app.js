// newsgraph serve — the page.  Plain modern JavaScript and SVG, no
// libraries (docs/web.md says why).  Views are picked by the URL's hash:
//   #/                 timeline (events when the base has them, else articles)
//   #/entity/ID        an entity: aliases, titles, counterparts, quotes, mentions over time
//   #/graph            who meets, threatens, supports whom (events), else who is named with whom
//   #/stories          stories with their articles across languages;  #/story/ID  one story
//   #/doc/NAME         an article with its annotations highlighted
//   #/search/WORDS     full-text search, and the entity of that name
//   #/quotes           every quote, oldest first
// Text from the base is only ever put in the page as text (textContent),
// never as HTML.
'use strict';

const SVGNS = 'http://www.w3.org/2000/svg';
const view = document.getElementById('view');

// ---- small helpers ---------------------------------------------------------

// h('a', {href: '#/', class: 'x'}, 'text', child...) builds an element.
function h(tag, attrs, ...kids) {
  const el = tag.startsWith('svg:') ? document.createElementNS(SVGNS, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const kid of kids.flat()) {
    if (kid === null || kid === undefined || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}
const svg = (tag, attrs, ...kids) => h('svg:' + tag, attrs, ...kids);

class HttpError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path) {
  const r = await fetch('api/' + path, {headers: {Accept: 'application/json'}});
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (!r.ok) throw new HttpError(r.status, (body && body.error) || r.statusText);
  return body;
}

const enc = encodeURIComponent;
const entityHref = (id) => '#/entity/' + enc(id);
const docHref = (name) => '#/doc/' + enc(name);

function show(...kids) {
  view.replaceChildren(...kids);
  window.scrollTo(0, 0);
}

function showError(e) {
  show(h('p', {class: 'error'}, e instanceof HttpError ? `${e.status}: ${e.message}` : String(e)));
}

function langBadge(lang) { return lang ? h('span', {class: 'lang'}, lang) : null; }
function dateSpan(d) { return h('span', {class: 'date'}, d || 'undated'); }

// A day "YYYY-MM-DD" as a number of days (for drawing), or null.
function dayNum(d) {
  if (!d || !/^\d{4}-\d{2}-\d{2}/.test(d)) return null;
  return Math.round(Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10)) / 864e5);
}
function dayStr(n) { return new Date(n * 864e5).toISOString().slice(0, 10); }

// The entities the page knows by id (names for chips, filters, graph).
let entityCache = null;
async function entities() {
  if (!entityCache) {
    const rows = await api('entities?limit=2000');
    entityCache = new Map(rows.map((e) => [String(e.id), e]));
  }
  return entityCache;
}

function entityChip(e) {
  return h('a', {class: 'chip ' + (e.type || ''), href: entityHref(e.id), 'data-entity': e.id}, e.name);
}

// CAMEO code families (the first two digits) and their names.
const CAMEO = {
  '01': 'make public statement', '02': 'appeal', '03': 'express intent to cooperate', '04': 'consult',
  '05': 'engage in diplomatic cooperation', '06': 'engage in material cooperation', '07': 'provide aid',
  '08': 'yield', '09': 'investigate', '10': 'demand', '11': 'disapprove', '12': 'reject', '13': 'threaten',
  '14': 'protest', '15': 'exhibit force posture', '16': 'reduce relations', '17': 'coerce', '18': 'assault',
  '19': 'fight', '20': 'use unconventional mass violence',
};
const family = (code) => String(code || '').slice(0, 2);
// a colour per QuadClass: verbal/material cooperation, verbal/material conflict
function familyColour(f) {
  const n = +f;
  if (n <= 5) return '#2b6cb0';
  if (n <= 8) return '#2f855a';
  if (n <= 14) return '#dd6b20';
  return '#c53030';
}
// QuadClass 1-4 of a family, as familyColour draws them
function quadOf(f) { const n = +f; return n <= 5 ? 1 : n <= 8 ? 2 : n <= 14 ? 3 : 4; }
const TYPE_COLOUR = {PER: '#2b6cb0', ORG: '#c05621', LOC: '#2f855a', MISC: '#6b46c1'};

// ---- the timeline ----------------------------------------------------------

// Draws items ({day, colour, title, href}) along a time axis between
// [from, to] days; returns the SVG.  Items of one day stack upwards.
function timeAxis(items, from, to, onPick) {
  const W = 1000, H = 170, L = 30, R = 20, base = H - 30;
  const span = Math.max(1, to - from);
  const x = (d) => L + ((d - from) / span) * (W - L - R);
  const chart = svg('svg', {class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'timeline'});
  chart.append(svg('line', {x1: L, x2: W - R, y1: base, y2: base, stroke: '#a0aec0'}));
  const ticks = 6;
  for (let i = 0; i <= ticks; i++) {
    const d = Math.round(from + (span * i) / ticks);
    chart.append(svg('line', {x1: x(d), x2: x(d), y1: base, y2: base + 5, stroke: '#a0aec0'}));
    chart.append(svg('text', {x: x(d), y: base + 18, 'text-anchor': 'middle'}, dayStr(d)));
  }
  const stack = new Map();
  for (const it of items) {
    if (it.day === null || it.day < from || it.day > to) continue;
    const px = Math.round(x(it.day));
    const k = stack.get(px) || 0;
    stack.set(px, k + 1);
    const dot = svg('circle', {class: 'dot', cx: px, cy: base - 9 - k * 14, r: 6, fill: it.colour});
    dot.append(svg('title', {}, it.title));
    dot.addEventListener('click', () => onPick(it));
    chart.append(dot);
  }
  return chart;
}

async function viewTimeline() {
  const [docs, events, ents] = await Promise.all([api('timeline?limit=2000'), api('events?limit=5000'), entities()]);
  const useEvents = events.length > 0;
  const docLang = new Map(docs.map((d) => [d.doc, d.lang]));
  // the items: the events (who did what to whom, when) and the articles
  const items = events.map((e) => ({
    kind: 'event', date: e.date, day: dayNum(e.date), code: String(e.code), family: family(e.code),
    actors: [e.source, e.target].filter((a) => a !== null && a !== undefined).map(String),
    langs: (e.docs || []).map((d) => docLang.get(d)).filter(Boolean), docs: e.docs || [], raw: e, key: 'e' + e.id,
  })).concat(docs.map((d) => ({
    kind: 'doc', date: d.date, day: dayNum(d.date), doc: d.doc, title: d.title, story: d.story,
    actors: String(d.entities || '').split(',').filter(Boolean), langs: d.lang ? [d.lang] : [], key: 'd' + d.id,
  })));
  items.sort((a, b) => (a.day ?? Infinity) - (b.day ?? Infinity) || (a.kind === b.kind ? 0 : a.kind === 'event' ? -1 : 1) ||
    String(a.doc || a.code).localeCompare(String(b.doc || b.code)));

  const days = items.map((i) => i.day).filter((d) => d !== null);
  const full = days.length ? [Math.min(...days) - 1, Math.max(...days) + 1] : [0, 1];
  const state = {show: '', actor: '', family: '', lang: '', range: full.slice()};

  // filters
  const actorIds = new Set(items.flatMap((i) => i.actors));
  const actorOpts = [...actorIds].map((id) => ents.get(id)).filter(Boolean)
    .sort((a, b) => b.docs - a.docs || a.name.localeCompare(b.name));
  const langs = [...new Set(items.flatMap((i) => i.langs))].sort();
  const families = [...new Set(items.map((i) => i.family).filter(Boolean))].sort();
  const sel = (id, label, opts, disabled) => {
    const s = h('select', {id, disabled}, h('option', {value: ''}, 'all'),
      opts.map(([v, t]) => h('option', {value: v}, t)));
    return [h('label', {for: id}, label), s];
  };
  const [la, sa] = sel('f-actor', 'Actor', actorOpts.map((e) => [String(e.id), `${e.name} (${e.type})`]));
  const [ls, ss] = sel('f-show', 'Show', [['event', 'events'], ['doc', 'articles']], !useEvents);
  const [lf, sf] = sel('f-family', 'Event type', families.map((f) => [f, `${f} ${CAMEO[f] || ''}`]), !useEvents);
  const [ll, sl] = sel('f-lang', 'Language', langs.map((l) => [l, l]));
  const zoomIn = h('button', {type: 'button', id: 'zoom-in', title: 'zoom in'}, '+');
  const zoomOut = h('button', {type: 'button', id: 'zoom-out', title: 'zoom out'}, '−');
  const zoomAll = h('button', {type: 'button', id: 'zoom-all'}, 'all dates');
  const chartBox = h('div', {});
  const list = h('ul', {class: 'items', id: 'timeline-items'});
  const count = h('p', {class: 'muted'});

  const visible = () => items.filter((i) => (!state.show || i.kind === state.show) &&
    (!state.actor || i.actors.includes(state.actor)) && (!state.family || i.family === state.family) &&
    (!state.lang || i.langs.includes(state.lang)));

  function row(i) {
    if (i.kind === 'doc') {
      return h('li', {class: 'tl-item tl-doc', 'data-key': i.key, 'data-doc': i.doc}, dateSpan(i.date), langBadge(i.langs[0]),
        h('a', {href: docHref(i.doc)}, i.title || i.doc),
        i.story ? h('span', {class: 'muted'}, ' · ', h('a', {href: '#/story/' + i.story}, 'story ' + i.story)) : null,
        h('div', {class: 'chips'}, i.actors.map((id) => ents.get(id)).filter(Boolean).slice(0, 12).map(entityChip)));
    }
    const e = i.raw;
    const actor = (id, name, code) => (id != null
      ? entityChip(ents.get(String(id)) || {id, name: name || '#' + id, type: ''})
      : h('span', {class: 'muted'}, code || '?'));
    const told = (e.reports || [])[0];
    return h('li', {class: 'tl-item tl-event', 'data-key': i.key, 'data-code': i.code},
      h('span', {class: 'event-mark q' + quadOf(i.family)}), dateSpan(i.date),
      actor(e.source, e.source_name, e.source_actor), ` ${CAMEO[i.family] || 'event'} (${i.code}) `,
      e.target != null || e.target_actor ? actor(e.target, e.target_name, e.target_actor) : null,
      e.location ? h('span', {class: 'muted'}, ' in ' + e.location) : null,
      told && told.text ? h('div', {class: 'muted'}, '“', told.text, '”') : null,
      h('div', {class: 'chips'}, i.docs.map((d) => h('a', {class: 'chip', href: docHref(d)}, d))));
  }

  function draw() {
    const vis = visible();
    const inRange = vis.filter((i) => i.day === null || (i.day >= state.range[0] && i.day <= state.range[1]));
    chartBox.replaceChildren(timeAxis(vis.map((i) => ({
      day: i.day, title: `${i.date || 'undated'} ${i.kind === 'doc' ? i.title || i.doc : i.code}`,
      colour: i.kind === 'doc' ? '#4a5568' : familyColour(i.family), item: i,
    })), state.range[0], state.range[1], (it) => {
      const li = list.querySelector(`[data-key="${it.item.key}"]`);
      if (li) { li.scrollIntoView({block: 'center'}); li.classList.add('flash'); }
    }));
    const ne = inRange.filter((i) => i.kind === 'event').length;
    count.textContent = `${ne} event${ne === 1 ? '' : 's'} and ${inRange.length - ne} article${inRange.length - ne === 1 ? '' : 's'} shown` +
      (useEvents ? ' (dots: grey for articles, coloured by kind for events)' : ' (the base has no events yet)');
    list.replaceChildren(...inRange.map(row));
  }
  function zoom(f) {
    const mid = (state.range[0] + state.range[1]) / 2, half = Math.max(1, ((state.range[1] - state.range[0]) / 2) * f);
    state.range = [Math.max(full[0], Math.floor(mid - half)), Math.min(full[1], Math.ceil(mid + half))];
    draw();
  }
  sa.addEventListener('change', () => { state.actor = sa.value; draw(); });
  sf.addEventListener('change', () => { state.family = sf.value; draw(); });
  ss.addEventListener('change', () => { state.show = ss.value; draw(); });
  sl.addEventListener('change', () => { state.lang = sl.value; draw(); });
  zoomIn.addEventListener('click', () => zoom(0.5));
  zoomOut.addEventListener('click', () => zoom(2));
  zoomAll.addEventListener('click', () => { state.range = full.slice(); draw(); });
  chartBox.addEventListener('wheel', (ev) => { ev.preventDefault(); zoom(ev.deltaY < 0 ? 0.8 : 1.25); }, {passive: false});

  show(h('h1', {}, 'Timeline'),
    h('div', {class: 'filters'}, ls, ss, la, sa, lf, sf, ll, sl, zoomIn, zoomOut, zoomAll), chartBox, count, list);
  draw();
}

// ---- an entity -------------------------------------------------------------

// A bar chart of how many articles name it, per month (or per day when the
// dates span less than three months).
function mentionsChart(timeline) {
  const days = timeline.map((t) => dayNum(t.date)).filter((d) => d !== null);
  if (!days.length) return h('p', {class: 'muted'}, 'No dated articles.');
  const lo = Math.min(...days), hi = Math.max(...days);
  const byDay = hi - lo < 92;
  const key = (d) => (byDay ? dayStr(d) : dayStr(d).slice(0, 7));
  const counts = new Map();
  if (byDay) for (let d = lo; d <= hi; d++) counts.set(key(d), 0);
  else for (let d = lo; d <= hi + 31; d += 28) counts.set(key(d), 0);
  for (const d of days) counts.set(key(d), (counts.get(key(d)) || 0) + 1);
  const keys = [...counts.keys()].sort();
  const max = Math.max(...counts.values());
  const W = 600, H = 140, B = 22, bw = Math.max(2, (W - 20) / keys.length);
  const chart = svg('svg', {class: 'chart', id: 'mentions-chart', viewBox: `0 0 ${W} ${H}`, role: 'img',
    'aria-label': 'articles naming it over time'});
  keys.forEach((k, i) => {
    const v = counts.get(k), bh = ((H - B - 10) * v) / max;
    const bar = svg('rect', {class: 'bar', x: 10 + i * bw + 1, y: H - B - bh, width: Math.max(1, bw - 2), height: bh});
    bar.append(svg('title', {}, `${k}: ${v} article${v === 1 ? '' : 's'}`));
    chart.append(bar);
  });
  chart.append(svg('text', {x: 10, y: H - 6}, keys[0]));
  chart.append(svg('text', {x: W - 10, y: H - 6, 'text-anchor': 'end'}, keys[keys.length - 1]));
  chart.append(svg('text', {x: 10, y: 12}, `max ${max} per ${byDay ? 'day' : 'month'}`));
  return chart;
}

async function viewEntity(id) {
  const p = await api('entity/' + enc(id));
  const e = p.entity[0];
  const mine = await api('events?limit=500&entity=' + e.id);
  const ents = await entities();
  show(
    h('h1', {id: 'entity-name', 'data-entity': e.id}, e.name, ' ', h('span', {class: 'chip ' + e.type}, e.type)),
    h('p', {class: 'muted'}, `named in ${e.docs} article${e.docs === 1 ? '' : 's'}`,
      e.from ? `, from ${e.from} to ${e.to}` : ''),
    h('div', {class: 'cols'},
      h('div', {},
        h('h2', {}, 'Mentions over time'), mentionsChart(p.timeline),
        h('h2', {}, 'Timeline'),
        h('ul', {class: 'items'}, p.timeline.map((t) => h('li', {}, dateSpan(t.date),
          h('a', {href: docHref(t.doc)}, t.title || t.doc),
          t.context ? h('div', {class: 'muted'}, '… ', t.context, ' …') : null))),
        p.quotes.length ? [h('h2', {}, 'Quotes'), h('ul', {class: 'items', id: 'entity-quotes'},
          p.quotes.map((q) => h('li', {}, dateSpan(q.date), '“', q.text, '” ',
            h('a', {href: docHref(q.doc), class: 'muted'}, q.doc))))] : null,
        mine.length ? [h('h2', {}, 'Events'), h('ul', {class: 'items'}, mine.map((ev) => h('li', {},
          dateSpan(ev.date),
          ...[[ev.source, ev.source_name, ev.source_actor], null, [ev.target, ev.target_name, ev.target_actor]].map((x) =>
            x === null ? ` ${CAMEO[family(ev.code)] || 'event'} (${ev.code}) `
              : x[0] == null ? h('span', {class: 'muted'}, x[2] || '?')
              : String(x[0]) === String(e.id) ? h('strong', {}, e.name)
              : h('a', {href: entityHref(x[0])}, x[1] || (ents.get(String(x[0])) || {name: '#' + x[0]}).name)),
          ' ',
          (ev.docs || []).map((d) => h('a', {class: 'chip', href: docHref(d)}, d)))))] : null),
      h('div', {class: 'side'},
        h('h2', {}, 'Also named'),
        h('ul', {id: 'aliases'}, p.aliases.map((a) => h('li', {}, a.name, h('span', {class: 'muted'}, ` (${a.docs})`)))),
        p.titles.length ? [h('h2', {}, 'Titles'), h('table', {},
          h('tr', {}, h('th', {}, 'title'), h('th', {}, 'from'), h('th', {}, 'to')),
          p.titles.map((t) => h('tr', {}, h('td', {}, t.title), h('td', {}, t.from || ''), h('td', {}, t.to || ''))))] : null,
        h('h2', {}, 'Named with'),
        h('ul', {id: 'counterparts'}, p.counterparts.map((c) => h('li', {}, entityChip(c),
          h('span', {class: 'muted'}, ` ${c.docs} article${c.docs === 1 ? '' : 's'}`)))))));
}

// ---- the graph ---------------------------------------------------------------

// Places nodes by Fruchterman and Reingold's force layout (repulsion
// k²/d between all nodes, attraction d²/k along edges, heavier edges pull
// harder, moves capped by a cooling temperature); deterministic: it starts
// from a circle.
function layout(nodes, edges, W, H) {
  const n = nodes.length;
  nodes.forEach((nd, i) => {
    nd.x = W / 2 + (W / 3) * Math.cos((2 * Math.PI * i) / n);
    nd.y = H / 2 + (H / 3) * Math.sin((2 * Math.PI * i) / n);
  });
  const index = new Map(nodes.map((nd, i) => [String(nd.id), i]));
  const links = edges.map((e) => [index.get(String(e.source)), index.get(String(e.target)), e.weight])
    .filter(([a, b]) => a !== undefined && b !== undefined);
  const maxw = Math.max(1, ...links.map((l) => l[2]));
  const k = 0.9 * Math.sqrt((W * H) / Math.max(1, n));
  const rounds = 400;
  for (let it = 0; it < rounds; it++) {
    const temp = (W / 8) * (1 - it / rounds) + 0.5;
    const dx = new Float64Array(n), dy = new Float64Array(n);
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        let x = nodes[i].x - nodes[j].x, y = nodes[i].y - nodes[j].y;
        const d = Math.max(0.01, Math.hypot(x, y)), f = (k * k) / d;
        x /= d; y /= d;
        dx[i] += x * f; dy[i] += y * f; dx[j] -= x * f; dy[j] -= y * f;
      }
    for (const [a, b, w] of links) {
      const x = nodes[b].x - nodes[a].x, y = nodes[b].y - nodes[a].y;
      const d = Math.max(0.01, Math.hypot(x, y)), f = ((d * d) / k) * (0.2 + (0.8 * w) / maxw) / Math.sqrt(links.length / n + 1);
      dx[a] += (x / d) * f; dy[a] += (y / d) * f; dx[b] -= (x / d) * f; dy[b] -= (y / d) * f;
    }
    for (let i = 0; i < n; i++) {
      const len = Math.max(0.01, Math.hypot(dx[i], dy[i])), step = Math.min(len, temp);
      nodes[i].x = Math.min(W - 60, Math.max(20, nodes[i].x + (dx[i] / len) * step));
      nodes[i].y = Math.min(H - 20, Math.max(20, nodes[i].y + (dy[i] / len) * step));
    }
  }
  return links;
}

async function viewGraph() {
  const events = await api('events?limit=10000');
  const ents = await entities();
  let nodes, edges, title;
  if (events.length) {
    // who does what to whom: an edge per (source, target, family), weight = events
    const m = new Map();
    for (const e of events) {
      if (e.source == null || e.target == null || String(e.source) === String(e.target)) continue;
      const k = `${e.source}|${e.target}|${family(e.code)}`;
      const x = m.get(k) || {source: e.source, target: e.target, family: family(e.code), weight: 0};
      x.weight++;
      m.set(k, x);
    }
    edges = [...m.values()];
    const names = new Map();
    for (const e of events) { names.set(String(e.source), e.source_name); names.set(String(e.target), e.target_name); }
    const ids = new Set(edges.flatMap((e) => [String(e.source), String(e.target)]));
    nodes = [...ids].map((id) => ({...(ents.get(id) || {id, name: names.get(id) || '#' + id, type: 'MISC'})}));
    title = 'Who meets, threatens, supports whom';
  } else {
    const g = await api('graph?limit=40');
    nodes = g.nodes.map((n) => ({...n}));
    edges = g.edges.map((e) => ({source: e.source, target: e.target, weight: e.docs}));
    title = 'Who is named with whom';
  }
  const W = 1000, H = 620;
  const links = layout(nodes, edges, W, H);
  const maxw = Math.max(1, ...edges.map((e) => e.weight));
  const chart = svg('svg', {class: 'chart graph', id: 'graph', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title});
  links.forEach(([a, b, w], i) => {
    const e = edges[i];
    const line = svg('line', {x1: nodes[a].x, y1: nodes[a].y, x2: nodes[b].x, y2: nodes[b].y,
      stroke: e.family ? familyColour(e.family) : '#718096', 'stroke-width': 1 + (4 * w) / maxw});
    line.append(svg('title', {}, `${nodes[a].name} – ${nodes[b].name}: ${w}` +
      (e.family ? ` events (${CAMEO[e.family] || e.family})` : ' articles')));
    chart.append(line);
  });
  const maxd = Math.max(1, ...nodes.map((n) => n.docs || 1));
  for (const n of nodes) {
    const g = svg('g', {class: 'node', 'data-entity': n.id});
    g.append(svg('circle', {cx: n.x, cy: n.y, r: 5 + 10 * Math.sqrt((n.docs || 1) / maxd), fill: TYPE_COLOUR[n.type] || '#718096'}));
    g.append(svg('text', {x: n.x + 12, y: n.y + 4}, n.name));
    g.addEventListener('click', () => { location.hash = entityHref(n.id); });
    chart.append(g);
  }
  show(h('h1', {}, title),
    h('p', {class: 'muted'}, events.length
      ? 'Edges: events between two actors, coloured by kind (blue: verbal cooperation, green: material cooperation, orange: verbal conflict, red: material conflict); width: number of events.'
      : 'The base has no events yet: edges join entities named in the same articles (width: number of articles).'),
    nodes.length ? chart : h('p', {class: 'muted'}, 'Nothing to draw.'));
}

// ---- stories -------------------------------------------------------------------

function storyArticles(rows) {
  return h('ul', {class: 'items'}, rows.map((d) => h('li', {class: 'story-doc'}, dateSpan(d.date), langBadge(d.lang),
    h('a', {href: docHref(d.doc)}, d.title || d.doc))));
}

async function viewStories() {
  const stories = await api('stories?limit=200');
  const box = h('div', {id: 'stories'});
  for (const s of stories) {
    const det = h('details', {class: 'story', 'data-story': s.story},
      h('summary', {}, h('strong', {}, s.label || s.title || 'story ' + s.story), ' ',
        h('span', {class: 'muted'}, `${s.docs} article${s.docs === 1 ? '' : 's'}, ${s.from || '?'} – ${s.to || '?'} `),
        h('a', {href: '#/story/' + s.story}, 'open')));
    det.addEventListener('toggle', async () => {
      if (!det.open || det.dataset.loaded) return;
      det.dataset.loaded = '1';
      try { det.append(storyArticles(await api('story/' + s.story))); } catch (e) { det.append(h('p', {class: 'error'}, e.message)); }
    });
    box.append(det);
  }
  show(h('h1', {}, 'Stories'), stories.length ? box : h('p', {class: 'muted'}, 'No stories.'));
  // the largest opens at once
  const first = box.querySelector('details');
  if (first) first.open = true;
}

async function viewStory(id) {
  const rows = await api('story/' + enc(id));
  const langs = [...new Set(rows.map((r) => r.lang).filter(Boolean))];
  show(h('h1', {}, 'Story ' + id), h('p', {class: 'muted'}, `${rows.length} articles in ${langs.join(', ') || '?'}`),
    storyArticles(rows));
}

// ---- an article ------------------------------------------------------------------

// Byte offsets (UTF-8, as the base stores them) to string indexes.
function byteIndex(text) {
  const map = [];
  let i = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    const nb = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < nb; k++) map.push(i);
    i += ch.length;
  }
  map.push(i);
  return (b) => map[Math.max(0, Math.min(map.length - 1, b))];
}

async function viewDoc(name) {
  const d = await api('doc?name=' + enc(name));
  const doc = d.document[0];
  // only the events this article reports (an index probe), not every event of the base
  const events = doc ? await api('events?limit=10000&doc=' + doc.id) : [];
  const text = doc.text || '';
  const at = byteIndex(text);
  const ents = new Map(d.entities.map((e) => [e.local, e]));
  const speakers = new Set(d.quotes.map((q) => q.speaker_local).filter((x) => x != null));
  // the events this article reports, each with its evidence (a span of the text)
  const docEvents = [];
  for (const e of events)
    for (const r of e.reports || [])
      if (r.doc === doc.doc && Array.isArray(r.span))
        docEvents.push({code: r.code || e.code, start: r.span[0], stop: r.span[1], trigger: r.trigger, event: e});

  // every annotation as a span of string indexes
  const spans = [];
  d.mentions.forEach((m) => {
    const e = ents.get(m.local);
    if (e) spans.push({s: at(m.start), e: at(m.stop), kind: 'mention', ent: e});
  });
  d.timexes.forEach((t) => spans.push({s: at(t.start), e: at(t.stop), kind: 'timex', t}));
  d.quantities.forEach((q) => spans.push({s: at(q.start), e: at(q.stop), kind: 'qty', q}));
  d.quotes.forEach((q, i) => spans.push({s: at(q.start), e: at(q.stop), kind: 'quote', i, q}));
  docEvents.forEach((ev, i) => spans.push({s: at(ev.start), e: at(ev.stop), kind: 'event', i, ev}));
  const cuts = new Set([0, text.length]);
  for (const sp of spans) if (sp.e > sp.s) { cuts.add(sp.s); cuts.add(sp.e); }
  const points = [...cuts].sort((a, b) => a - b);

  // each piece between two cuts, wrapped in the annotations covering it:
  // quotes and events outside, then entities, dates, quantities
  const order = {event: 0, quote: 1, mention: 2, timex: 3, qty: 4};
  const body = h('div', {class: 'article', id: 'article-text', lang: doc.lang || null});
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k], b = points[k + 1];
    let node = document.createTextNode(text.slice(a, b));
    const cover = spans.filter((sp) => sp.s <= a && sp.e >= b && sp.e > sp.s).sort((x, y) => order[y.kind] - order[x.kind]);
    for (const sp of cover) {
      let el;
      if (sp.kind === 'mention') {
        const e = sp.ent;
        el = h('a', {class: `mention ${e.kb_type || e.type}` + (speakers.has(e.local) ? ' speaker' : ''),
          href: entityHref(e.entity), 'data-entity': e.entity, 'data-local': e.local, title: `${e.canonical || e.name} (${e.kb_type || e.type})`});
      } else if (sp.kind === 'timex') {
        el = h('span', {class: 'timex', title: `${sp.t.type}: ${sp.t.value || '?'}`, 'data-value': sp.t.value});
      } else if (sp.kind === 'qty') {
        el = h('span', {class: 'qty', title: `${sp.q.value}${sp.q.unit ? ' ' + sp.q.unit : ''}${sp.q.per ? ' per ' + sp.q.per : ''}`});
      } else if (sp.kind === 'quote') {
        el = h('span', {class: 'quote', 'data-quote': sp.i, title: sp.q.speaker_name ? 'said by ' + sp.q.speaker_name : 'quote'});
        el.addEventListener('click', () => pickQuote(sp.i));
      } else {
        el = h('span', {class: 'evidence', 'data-event': sp.i, title: `${sp.ev.code} ${CAMEO[family(sp.ev.code)] || ''}`});
      }
      el.append(node);
      node = el;
    }
    body.append(node);
  }

  function pickQuote(i) {
    const q = d.quotes[i];
    view.querySelectorAll('.quote.active, .quote-item.active').forEach((x) => x.classList.remove('active'));
    view.querySelectorAll('.speaker-active').forEach((x) => x.classList.remove('speaker-active'));
    view.querySelectorAll(`.quote[data-quote="${i}"], .quote-item[data-quote="${i}"]`).forEach((x) => x.classList.add('active'));
    if (q.speaker_local != null)
      view.querySelectorAll(`#article-text .mention[data-local="${q.speaker_local}"]`).forEach((x) => x.classList.add('speaker-active'));
    const first = view.querySelector(`.quote[data-quote="${i}"]`);
    if (first) first.scrollIntoView({block: 'center'});
  }

  const byType = {};
  for (const e of d.entities) (byType[e.kb_type || e.type] = byType[e.kb_type || e.type] || []).push(e);
  const titles = new Map();
  for (const t of d.titles) titles.set(t.local, (titles.get(t.local) || []).concat(t.title));
  const clip = (sp) => text.slice(at(sp.start), at(sp.stop));
  const side = h('div', {class: 'side'},
    h('section', {}, h('h2', {}, 'Entities'), Object.keys(byType).sort().map((t) => h('div', {},
      h('strong', {}, t + ' '), byType[t].map((e) => h('span', {},
        h('a', {class: 'chip ' + t, href: entityHref(e.entity), 'data-entity': e.entity}, e.canonical || e.name),
        titles.has(e.local) ? h('span', {class: 'muted'}, '(' + titles.get(e.local).join('; ') + ') ') : null))))),
    d.quotes.length ? h('section', {}, h('h2', {}, 'Quotes'), h('ul', {id: 'quotes'}, d.quotes.map((q, i) => h('li', {
      class: 'quote-item', 'data-quote': i, tabindex: 0, onclick: () => pickQuote(i),
      onkeydown: (ev) => { if (ev.key === 'Enter') pickQuote(i); },
    }, h('strong', {class: 'quote-speaker'}, q.speaker_name || 'unknown speaker'), q.cue ? ` (${q.cue})` : '', ': “', clip(q), '”')))) : null,
    d.timexes.length ? h('section', {}, h('h2', {}, 'Dates'), h('ul', {}, d.timexes.map((t) =>
      h('li', {}, clip(t), ' → ', h('code', {}, t.value || t.type))))) : null,
    d.quantities.length ? h('section', {}, h('h2', {}, 'Quantities'), h('ul', {}, d.quantities.map((q) =>
      h('li', {}, clip(q), ' → ', h('code', {}, `${q.value}${q.unit ? ' ' + q.unit : ''}`))))) : null,
    docEvents.length ? h('section', {}, h('h2', {}, 'Events'), h('ul', {id: 'doc-events'}, docEvents.map((ev, i) =>
      h('li', {class: 'event-item', 'data-event': i},
        ev.event.source != null ? h('a', {href: entityHref(ev.event.source)}, ev.event.source_name || '#' + ev.event.source)
          : h('span', {class: 'muted'}, ev.event.source_actor || '?'),
        ` ${CAMEO[family(ev.code)] || 'event'} (${ev.code}${ev.trigger ? ': ' + ev.trigger : ''}) `,
        ev.event.target != null ? h('a', {href: entityHref(ev.event.target)}, ev.event.target_name || '#' + ev.event.target)
          : h('span', {class: 'muted'}, ev.event.target_actor || ''))))) : null);

  show(h('h1', {id: 'doc-title'}, doc.title || doc.doc),
    h('p', {class: 'muted'}, dateSpan(doc.date), langBadge(doc.lang), doc.doc,
      doc.story ? [' · ', h('a', {href: '#/story/' + doc.story}, 'story ' + doc.story)] : null,
      doc.url ? [' · ', h('a', {href: doc.url, rel: 'noreferrer noopener', target: '_blank'}, 'source')] : null),
    h('p', {class: 'legend'}, h('span', {class: 'mention PER'}, 'person'), h('span', {class: 'mention ORG'}, 'organisation'),
      h('span', {class: 'mention LOC'}, 'place'), h('span', {class: 'mention MISC'}, 'other'),
      h('span', {class: 'timex'}, 'date'), h('span', {class: 'qty'}, 'quantity'), h('span', {class: 'quote'}, 'quote'),
      h('span', {class: 'evidence'}, 'event')),
    h('div', {class: 'cols'}, body, side));
}

// ---- search and quotes ---------------------------------------------------------

// Plain words become FTS5 phrases ("drone" "Baltic"), so punctuation never
// makes a syntax error; text that already uses FTS5 syntax is sent as is.
function ftsQuery(q) {
  if (/["*()]|\b(AND|OR|NOT|NEAR)\b/.test(q)) return q;
  return q.split(/\s+/).filter(Boolean).map((w) => '"' + w.replace(/"/g, '""') + '"').join(' ');
}

function snippet(s) {
  // the base marks matches as [word]
  const out = h('span', {class: 'snippet'});
  String(s || '').split(/(\[[^\]]*\])/).forEach((part) => {
    if (/^\[.*\]$/.test(part)) out.append(h('mark', {}, part.slice(1, -1)));
    else out.append(part);
  });
  return out;
}

async function viewSearch(q) {
  document.getElementById('q').value = q;
  const [hits, ent] = await Promise.all([
    api('search?limit=50&q=' + enc(ftsQuery(q))),
    api('entity/' + enc(q)).catch(() => null),
  ]);
  const e = ent && ent.entity && ent.entity[0];
  show(h('h1', {}, `Search: ${q}`),
    e ? h('p', {id: 'search-entity'}, 'Entity: ', entityChip(e), h('span', {class: 'muted'}, ` named in ${e.docs} articles`)) : null,
    hits.length ? h('ul', {class: 'items', id: 'search-results'}, hits.map((r) => h('li', {class: 'hit'}, dateSpan(r.date),
      h('a', {href: docHref(r.doc)}, r.title || r.doc), h('div', {}, snippet(r.snippet)))))
      : h('p', {class: 'muted', id: 'search-results'}, 'No article matches.'));
}

async function viewQuotes() {
  const rows = await api('quotes?limit=1000');
  show(h('h1', {}, 'Quotes'), h('ul', {class: 'items'}, rows.map((q) => h('li', {}, dateSpan(q.date),
    q.speaker ? h('a', {href: entityHref(q.speaker)}, q.speaker) : h('span', {class: 'muted'}, 'unknown'),
    q.cue ? ` (${q.cue})` : '', ': “', q.text, '” ', h('a', {href: docHref(q.doc), class: 'muted'}, q.doc)))));
}

// ---- routing ---------------------------------------------------------------------

async function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [head, ...rest] = hash.split('/');
  const arg = decodeURIComponent(rest.join('/'));
  document.querySelectorAll('header nav a').forEach((a) =>
    a.classList.toggle('here', a.dataset.nav === (head || 'timeline')));
  view.setAttribute('aria-busy', 'true');
  try {
    if (!head || head === 'timeline') await viewTimeline();
    else if (head === 'entity') await viewEntity(arg);
    else if (head === 'graph') await viewGraph();
    else if (head === 'stories') await viewStories();
    else if (head === 'story') await viewStory(arg);
    else if (head === 'doc') await viewDoc(arg);
    else if (head === 'search') await viewSearch(arg);
    else if (head === 'quotes') await viewQuotes();
    else show(h('p', {class: 'error'}, 'No such page.'));
  } catch (e) {
    showError(e);
  } finally {
    view.removeAttribute('aria-busy');
    document.body.dataset.view = head || 'timeline';
  }
}

document.getElementById('search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = document.getElementById('q').value.trim();
  if (q) location.hash = '#/search/' + enc(q);
});
window.addEventListener('hashchange', route);
route();

// api.mjs BASE EXPORT.json WEBDIR — the JSON API of `newsgraph serve`
// against what `newsgraph export` says the base holds.  Node only (fetch,
// net, zlib): no packages.
import fs from 'node:fs';
import net from 'node:net';
import zlib from 'node:zlib';

const [base, exportPath, webDir] = process.argv.slice(2);
const kb = JSON.parse(fs.readFileSync(exportPath, 'utf8'));
const url = new URL(base);
let failures = 0, checks = 0;

function check(ok, what) {
  checks++;
  if (!ok) {
    failures++;
    console.error('FAIL: ' + what);
  }
}

async function get(path, headers = {}) {
  const r = await fetch(base + path, {headers});
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch (e) { json = undefined; }
  return {status: r.status, type: r.headers.get('content-type') || '', headers: r.headers, text, json};
}

// A request written on a socket as is (fetch would normalise "..").
function raw(requestLine, extra = '') {
  return new Promise((resolve) => {
    const s = net.connect(+url.port, url.hostname);
    let data = '';
    s.setTimeout(10000, () => { s.destroy(); resolve({status: 0, data: 'timeout'}); });
    s.on('data', (d) => { data += d.toString('latin1'); });
    s.on('error', () => resolve({status: 0, data}));
    s.on('close', () => {
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      resolve({status: m ? +m[1] : 0, data});
    });
    s.write(`${requestLine}\r\nHost: ${url.host}\r\nConnection: close\r\n${extra}\r\n`);
  });
}

const isJson = (r) => /^application\/json/.test(r.type) && r.json !== undefined;
const isError = (r, status) => r.status === status && isJson(r) && r.json && typeof r.json.error === 'string';

// ---- every endpoint answers, as JSON, what the base holds ------------------------
const ent = await get('api/entities?limit=10000');
check(ent.status === 200 && isJson(ent), '/api/entities is JSON');
const liveEnts = kb.entities;
check(ent.json.length === liveEnts.length, `/api/entities: ${ent.json.length} entities, export has ${liveEnts.length}`);
for (const e of liveEnts) {
  const r = await get('api/entity/' + e.id);
  check(r.status === 200 && isJson(r) && r.json.entity[0].name === e.name, `/api/entity/${e.id} is ${e.name}`);
  const aliases = new Set(r.json.aliases.map((a) => a.name));
  check(e.aliases.every((a) => aliases.has(a)), `/api/entity/${e.id}: every alias of the export`);
  check(new Set(r.json.timeline.map((t) => t.doc)).size === e.docs.length, `/api/entity/${e.id}: its ${e.docs.length} articles`);
}
const first = liveEnts[0];
const byName = await get('api/entity/' + encodeURIComponent(first.name));
check(byName.status === 200 && byName.json.entity[0].id === first.id, '/api/entity/NAME finds the entity by name');

const tl = await get('api/timeline');
check(tl.status === 200 && isJson(tl) && tl.json.length === kb.documents.length,
  `/api/timeline: ${tl.json && tl.json.length} articles, export has ${kb.documents.length}`);
check(new Set(tl.json.map((d) => d.doc)).size === new Set(kb.documents.map((d) => d.doc)).size, '/api/timeline: the same articles');
const tle = await get('api/timeline?entity=' + first.id);
check(tle.status === 200 && tle.json.length === first.docs.length, '/api/timeline?entity=ID');
const tln = await get('api/timeline?entity=' + encodeURIComponent(first.name));
check(tln.status === 200 && tln.json.length === first.docs.length, '/api/timeline?entity=NAME');

for (const d of kb.documents) {
  const r = await get('api/doc?name=' + encodeURIComponent(d.doc));
  check(r.status === 200 && isJson(r) && r.json.document[0].doc === d.doc && r.json.document[0].text.length > 0,
    `/api/doc?name=${d.doc}`);
  const byId = await get('api/doc/' + r.json.document[0].id);
  check(byId.status === 200 && byId.json.document[0].doc === d.doc, `/api/doc/${r.json.document[0].id}`);
  for (const part of ['entities', 'mentions', 'timexes', 'quantities', 'quotes', 'titles'])
    check(Array.isArray(r.json[part]), `/api/doc: ${part} is a list`);
  // every mention lies inside the text and belongs to an entity of the article
  const bytes = Buffer.byteLength(r.json.document[0].text, 'utf8');
  const locals = new Set(r.json.entities.map((e) => e.local));
  check(r.json.mentions.every((m) => m.start < m.stop && m.stop <= bytes && locals.has(m.local)),
    `/api/doc ${d.doc}: mentions inside the text, of its entities`);
}

const stories = await get('api/stories?limit=10000');
check(stories.status === 200 && stories.json.length === kb.stories.length, '/api/stories: every story');
for (const s of kb.stories) {
  const r = await get('api/story/' + s.id);
  check(r.status === 200 && JSON.stringify(r.json.map((x) => x.doc).sort()) === JSON.stringify([...s.docs].sort()),
    `/api/story/${s.id}: its articles`);
}
const quotes = await get('api/quotes');
check(quotes.status === 200 && Array.isArray(quotes.json) && quotes.json.length > 0, '/api/quotes');
const qby = await get('api/quotes?entity=' + first.id);
check(qby.status === 200 && qby.json.every((q) => q.speaker === first.name), '/api/quotes?entity=ID: only theirs');
const events = await get('api/events');
check(events.status === 200 && Array.isArray(events.json), '/api/events is a list');
// ?doc=ID: exactly the events whose reports name that article (the export's events' docs), in
// the order of the full list; a bad id is a 404, doc with entity a 400
{
  const byId = new Map((tl.json || []).map((d) => [d.doc, d.id]));
  let reported = 0;
  for (const d of kb.documents) {
    const want = (kb.events || []).filter((e) => (e.docs || []).includes(d.doc)).map((e) => e.id);
    reported += want.length ? 1 : 0;
    const r = await get('api/events?doc=' + byId.get(d.doc));
    const got = r.status === 200 && Array.isArray(r.json) ? r.json.map((e) => e.id) : null;
    const order = events.json.map((e) => e.id).filter((id) => want.includes(id));
    check(got && got.length === want.length && got.every((id, i) => id === order[i]),
      `/api/events?doc=${byId.get(d.doc)} (${d.doc}): ${got && got.length} events, export has ${want.length}`);
  }
  check(reported > 0, '/api/events?doc: some article reports an event');
  check((await get('api/events?doc=999999')).json.length === 0, '/api/events?doc=999999: none');
  check((await get('api/events?doc=abc')).status === 404, '/api/events?doc=abc: 404');
  check((await get('api/events?doc=1&entity=1')).status === 400, '/api/events?doc=1&entity=1: 400');
}
// the answers cache gives the same bytes again, plain and gzipped
{
  const a = await get('api/events?limit=5000'), b = await get('api/events?limit=5000');
  check(a.status === 200 && a.text === b.text, '/api/events asked twice: the same answer');
  const z = await fetch(base + 'api/stories', {headers: {'Accept-Encoding': 'gzip'}});
  const s1 = await get('api/stories');
  check(z.status === 200 && (await z.text()) === s1.text, '/api/stories gzipped then plain: the same answer');
}
const graph = await get('api/graph');
check(graph.status === 200 && graph.json.nodes.length > 1 && graph.json.edges.length > 0, '/api/graph: nodes and edges');
const ids = new Set(graph.json.nodes.map((n) => n.id));
check(graph.json.edges.every((e) => ids.has(e.source) && ids.has(e.target) && e.docs > 0), '/api/graph: edges join nodes');

// search: a word of a title finds that article
const titled = kb.documents.find((d) => d.title);
const word = titled.title.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 5).sort((a, b) => b.length - a.length)[0];
const s = await get('api/search?q=' + encodeURIComponent(word));
check(s.status === 200 && s.json.some((h) => h.doc === titled.doc), `/api/search?q=${word} finds ${titled.doc}`);

// ---- errors ---------------------------------------------------------------------------
for (const [path, status] of [
  ['api/entity/999999999', 404], ['api/entity/0', 404], ['api/entity/no%20such%20one%20at%20all', 404],
  ['api/entity', 404], ['api/story/abc', 404], ['api/story/0', 404], ['api/story/999999', 404],
  ['api/story/-1', 404], ['api/doc/999999999', 404], ['api/doc?name=no-such-article', 404], ['api/doc', 404],
  ['api/nope', 404], ['nope.html', 404], ['api/timeline?entity=999999999', 404], ['api/timeline?story=x', 404],
  ['api/stories?limit=abc', 400], ['api/stories?limit=0', 400], ['api/stories?limit=99999999999999999999', 400],
  ['api/search', 400], ['api/search?q=%22unclosed', 400], ['api/search?q=' + 'a'.repeat(2000), 414],
  ['api/entity/' + 'x'.repeat(300), 414],
]) {
  const r = await get(path);
  check(isError(r, status), `${path.slice(0, 60)}: want ${status} JSON error, got ${r.status} ${r.text.slice(0, 80)}`);
}
// a huge request line: refused (414/400/431), no crash
for (const n of [20000, 200000]) {
  const r = await raw(`GET /api/search?q=${'b'.repeat(n)} HTTP/1.1`);
  check([400, 413, 414, 431].includes(r.status) || r.status === 0, `a ${n}-byte query string: refused (${r.status})`);
}
const r431 = await raw('GET /api/stories HTTP/1.1', `X-Big: ${'c'.repeat(40000)}\r\n`);
check(r431.status !== 200, `a 40 kB header: refused (${r431.status})`);
// path traversal: nothing outside the embedded page
for (const p of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd', '//etc/passwd',
                 '/app.js/../../CMakeLists.txt', '/web/../CMakeLists.txt', '/.git/config', '/api/../../etc/passwd',
                 '/%00index.html', '/index.html%00.txt', '/.%2e/README.md', '/api/doc/..%2f..%2fetc%2fpasswd']) {
  const r = await raw(`GET ${p} HTTP/1.1`);
  check((r.status === 404 || r.status === 400) && !/root:|\[core\]|cmake_minimum/.test(r.data), `${p}: 404, got ${r.status}`);
}
const post = await raw('POST /api/stories HTTP/1.1', 'Content-Length: 2\r\n\r\n{}');
check(post.status === 405 && /Allow: GET, HEAD/i.test(post.data), `POST: 405 with Allow (${post.status})`);
const head = await raw('HEAD / HTTP/1.1');
check(head.status === 200 && !/<html/.test(head.data), 'HEAD /: 200 without a body');

// ---- the page and its types -------------------------------------------------------------
for (const [path, file, type] of [['', 'index.html', 'text/html'], ['app.js', 'app.js', 'text/javascript'],
                                  ['style.css', 'style.css', 'text/css'], ['favicon.svg', 'favicon.svg', 'image/svg+xml']]) {
  const r = await get(path, {'Accept-Encoding': 'identity'});
  check(r.status === 200 && r.type.startsWith(type), `/${path}: ${type} (${r.type})`);
  check(r.text === fs.readFileSync(`${webDir}/${file}`, 'utf8'), `/${path}: the bytes of web/${file}`);
  check(/default-src 'self'/.test(r.headers.get('content-security-policy') || ''), `/${path}: a content security policy`);
}
// gzip where it pays, byte-identical once unzipped
await new Promise((resolve) => {
  const s = net.connect(+url.port, url.hostname);
  const chunks = [];
  s.on('data', (d) => chunks.push(d));
  s.on('close', () => {
    const all = Buffer.concat(chunks);
    const sep = all.indexOf('\r\n\r\n');
    const headers = all.subarray(0, sep).toString('latin1');
    check(/Content-Encoding: gzip/i.test(headers), 'app.js gzipped for a client that takes gzip');
    try {
      const body = zlib.gunzipSync(all.subarray(sep + 4)).toString('utf8');
      check(body === fs.readFileSync(`${webDir}/app.js`, 'utf8'), 'gzipped app.js unzips to web/app.js');
    } catch (e) {
      check(false, 'gzipped app.js unzips: ' + e.message);
    }
    resolve();
  });
  s.write(`GET /app.js HTTP/1.1\r\nHost: ${url.host}\r\nAccept-Encoding: gzip, deflate\r\nConnection: close\r\n\r\n`);
});
const gzApi = await get('api/timeline', {'Accept-Encoding': 'gzip'});
check(gzApi.status === 200 && Array.isArray(gzApi.json), 'a gzipped API answer parses');

// ---- 50 concurrent clients --------------------------------------------------------------
const paths = ['api/timeline', 'api/entities', 'api/stories', 'api/graph', 'api/quotes', 'api/events',
  'api/entity/' + first.id, 'api/doc?name=' + encodeURIComponent(kb.documents[0].doc),
  'api/search?q=' + encodeURIComponent(word), 'api/story/' + kb.stories[0].id, 'app.js', ''];
const times = [];
let bad = 0;
const t0 = Date.now();
await Promise.all(Array.from({length: 50}, async (_, c) => {
  for (let i = 0; i < 20; i++) {
    const p = paths[(c + i) % paths.length];
    const t = performance.now();
    try {
      const r = await fetch(base + p);
      await r.arrayBuffer();
      if (r.status !== 200) bad++;
    } catch (e) {
      bad++;
    }
    times.push(performance.now() - t);
  }
}));
times.sort((a, b) => a - b);
const p95 = times[Math.floor(times.length * 0.95)], p50 = times[Math.floor(times.length / 2)];
check(bad === 0, `50 concurrent clients x 20 requests: ${bad} failed`);
console.log(`concurrency: 1000 requests by 50 clients in ${Date.now() - t0} ms; latency p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
const alive = await get('api/stories');
check(alive.status === 200, 'the server still answers after all that');

console.log(`api: ${checks - failures}/${checks} checks passed`);
process.exit(failures ? 1 : 0);

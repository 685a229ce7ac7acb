// scale_load.mjs BASE URLS CLIENTS SECONDS [PID] — a bounded load test for
// `newsgraph serve` on a loopback address: CLIENTS clients, each with its own
// keep-alive connection, ask for the paths of the file URLS (one per line, in
// turn from a random start) for SECONDS seconds (at most 5 million requests),
// then print requests, errors (anything but 200, or a socket error),
// latencies, and the anonymous RSS (heap, not the base's file pages) of
// process PID every 5 seconds.  Plain node, no
// packages.  Only for addresses on this machine.
import http from 'node:http';
import fs from 'node:fs';

const [base, urlsFile, nClients, nSeconds, pid] = process.argv.slice(2);
const u = new URL(base);
if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(u.hostname)) {
  console.error('scale_load: only loopback addresses are tested');
  process.exit(2);
}
const urls = fs.readFileSync(urlsFile, 'utf8').split('\n').filter(Boolean);
const clients = Math.min(Number(nClients) || 200, 1000);
const deadline = Date.now() + 1000 * Math.min(Number(nSeconds) || 30, 600);
const maxRequests = 5e6;
let requests = 0, errors = 0, bytes = 0;
const errorKinds = {};
const lat = [];
const rss = () => {
  if (!pid) return NaN;
  const m = /RssAnon:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const rssSeries = [rss()];
const timer = setInterval(() => rssSeries.push(rss()), 5000);

function get(agent, path) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.get({host: u.hostname, port: u.port, path, agent, headers: {'Accept-Encoding': 'gzip'}}, (res) => {
      let n = 0;
      res.on('data', (c) => { n += c.length; });
      res.on('end', () => {
        bytes += n;
        lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
        resolve(res.statusCode === 200 ? null : 'status ' + res.statusCode);
      });
      res.on('error', (e) => resolve(e.code || e.message));
    });
    req.setTimeout(30000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve(e.code || e.message));
  });
}

async function client(k) {
  const agent = new http.Agent({keepAlive: true, maxSockets: 1});
  let i = Math.floor(Math.random() * urls.length);
  while (Date.now() < deadline && requests < maxRequests) {
    requests++;
    const err = await get(agent, urls[i++ % urls.length]);
    if (err) {
      errors++;
      errorKinds[err] = (errorKinds[err] || 0) + 1;
    }
  }
  agent.destroy();
}

const t0 = Date.now();
await Promise.all(Array.from({length: clients}, (_, k) => client(k)));
clearInterval(timer);
rssSeries.push(rss());
const secs = (Date.now() - t0) / 1000;
lat.sort((a, b) => a - b);
const p = (q) => lat.length ? lat[Math.min(lat.length - 1, Math.round(q * (lat.length - 1)))].toFixed(1) : 'nan';
console.log(`  ${requests} requests in ${secs.toFixed(1)} s (${(requests / secs).toFixed(0)}/s, ${(bytes / 1e6).toFixed(0)} MB),` +
            ` errors ${errors}${errors ? ' ' + JSON.stringify(errorKinds) : ''}`);
console.log(`  latency p50 ${p(0.5)} ms, p95 ${p(0.95)} ms, p99 ${p(0.99)} ms, max ${p(1)} ms`);
if (pid) console.log(`  server anonymous RSS (heap) every 5 s (MB): ${rssSeries.map((x) => x.toFixed(0)).join(' ')}`);

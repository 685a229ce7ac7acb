// browser.mjs BASE EXPORT.json QUOTES.json ARTIFACTS CHROMIUM — the page of
// `newsgraph serve` in headless Chromium, driven by playwright-core.
// What it checks comes from the base itself (the export and the quotes
// query), not from a list of expected strings.
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {createRequire} from 'node:module';

const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), 'package.json'));
const {chromium} = require('playwright-core');

const [base, exportPath, quotesPath, artDir, executablePath] = process.argv.slice(2);
const kb = JSON.parse(fs.readFileSync(exportPath, 'utf8'));
const quotes = JSON.parse(fs.readFileSync(quotesPath, 'utf8'));
let failures = 0, checks = 0;
function check(ok, what) {
  checks++;
  if (!ok) { failures++; console.error('FAIL: ' + what); }
}

const browser = await chromium.launch({executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu'], timeout: 60000});
const page = await browser.newPage({viewport: {width: 1280, height: 900}});
page.setDefaultTimeout(20000);
const problems = [], outside = [];
page.on('pageerror', (e) => problems.push('page error: ' + e.message));
page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
page.on('requestfailed', (r) => problems.push('request failed: ' + r.url()));
// offline: nothing may be fetched from anywhere but the server
const origin = new URL(base).origin;
await page.route('**/*', (route) => {
  const u = route.request().url();
  if (u.startsWith(origin) || u.startsWith('data:')) return route.continue();
  outside.push(u);
  return route.abort();
});
const shot = (name) => page.screenshot({path: path.join(artDir, `web-${name}.png`), fullPage: true});
// a view is drawn when #view is no longer busy and body says which view
async function ready(view) {
  await page.waitForFunction((v) => document.body.dataset.view === v && !document.getElementById('view').hasAttribute('aria-busy'), view);
}

try {
  // ---- the timeline shows the demo's items ----------------------------------------
  await page.goto(base);
  await ready('timeline');
  const items = page.locator('#timeline-items li.tl-item');
  await items.first().waitFor();
  const shown = await items.count();
  const events = await (await page.request.get(base + 'api/events')).json();
  const want = events.length + kb.documents.length;
  check(shown === want, `timeline: ${shown} items, the base has ${events.length} events and ${kb.documents.length} articles`);
  const text = await page.locator('#timeline-items').innerText();
  for (const d of kb.documents)
    if (d.title) check(text.includes(d.title), `timeline lists "${d.title}"`);
  for (const e of events)
    check(await page.locator(`#timeline-items li.tl-event[data-key="e${e.id}"]`).count() === 1, `timeline shows event ${e.id} (${e.code})`);
  if (events.length) {
    // only events, then only one kind of event
    await page.selectOption('#f-show', 'event');
    check(await items.count() === events.length, 'show events: every event, no article');
    const fam = String(events[0].code).slice(0, 2);
    await page.selectOption('#f-family', fam);
    check(await items.count() === events.filter((e) => String(e.code).startsWith(fam)).length, `event type ${fam}: its events`);
    await page.selectOption('#f-family', '');
    await page.selectOption('#f-show', '');
  }
  check(await page.locator('svg.chart circle.dot').count() > 0, 'timeline: dots on the time axis');
  await shot('timeline');
  // filter by language: only that language's articles remain
  const langs = [...new Set(kb.documents.map((d) => d.lang).filter(Boolean))];
  if (langs.length > 1) {
    const lang = langs.sort()[0];
    await page.selectOption('#f-show', 'doc');
    await page.selectOption('#f-lang', lang);
    const n = await items.count();
    check(n === kb.documents.filter((d) => d.lang === lang).length, `language filter ${lang}: ${n} articles`);
    await page.selectOption('#f-lang', '');
    await page.selectOption('#f-show', '');
  }
  // zoom in, then back to all dates
  await page.click('#zoom-in');
  await page.click('#zoom-all');
  check(await items.count() === shown, 'zoom in and back: every item again');

  // ---- clicking an entity opens its page ------------------------------------------------
  const chip = page.locator('#timeline-items li.tl-doc .chip[data-entity]').first();
  const chipName = (await chip.innerText()).trim();
  const chipId = await chip.getAttribute('data-entity');
  await chip.click();
  await ready('entity');
  await page.locator('#entity-name').waitFor();
  const title = (await page.locator('#entity-name').innerText()).trim();
  check(title.startsWith(chipName), `entity page of "${chipName}" (got "${title}")`);
  check(page.url().endsWith('#/entity/' + chipId), 'entity page URL names its id');
  const exported = kb.entities.find((e) => String(e.id) === chipId);
  check(exported && await page.locator('#mentions-chart rect.bar').count() > 0, 'entity page: mentions-over-time chart');
  if (exported && exported.aliases.length) {
    const aliases = await page.locator('#aliases').innerText();
    check(exported.aliases.every((a) => aliases.includes(a)), 'entity page: every alias');
  }
  await shot('entity');
  // a counterpart link leads to that entity
  const cp = page.locator('#counterparts a.chip').first();
  if (await cp.count()) {
    const cpName = (await cp.innerText()).trim();
    await cp.click();
    await ready('entity');
    check((await page.locator('#entity-name').innerText()).startsWith(cpName), 'counterpart link opens that entity');
  }

  // ---- the article view highlights a quote and its speaker ---------------------------------
  const q = quotes.find((x) => x.speaker && x.text);
  check(!!q, 'the base has a quote with a speaker');
  if (q) {
    await page.goto(base + '#/doc/' + encodeURIComponent(q.doc));
    await ready('doc');
    await page.locator('#article-text').waitFor();
    check(await page.locator('#article-text .quote').count() > 0, 'article: quotes highlighted');
    check(await page.locator('#article-text .mention').count() > 0, 'article: entity mentions highlighted');
    check(await page.locator('#article-text .timex').count() > 0 || await page.locator('#article-text .qty').count() > 0,
      'article: dates or quantities highlighted');
    const item = page.locator('#quotes .quote-item', {hasText: q.text.slice(0, 40)}).first();
    check(await item.count() === 1, 'article: the quote is listed');
    await item.click();
    const active = await page.locator('#article-text .quote.active').evaluateAll((els) => els.map((e) => e.textContent).join(''));
    check(active.replace(/\s+/g, ' ').includes(q.text.replace(/\s+/g, ' ').slice(0, 60)), 'clicked quote: its text is highlighted');
    const spk = page.locator('#article-text .mention.speaker-active');
    check(await spk.count() > 0, 'clicked quote: its speaker\'s mentions are highlighted');
    if (await spk.count()) {
      const spkTitle = await spk.first().getAttribute('title');
      check(spkTitle && spkTitle.startsWith(q.speaker), `the highlighted speaker is ${q.speaker} (${spkTitle})`);
    }
    check((await page.locator('#quotes .quote-item.active .quote-speaker').innerText()).trim() === q.speaker,
      'the quote list names the speaker');
    await shot('article');
    // a mention is a link to its entity
    await spk.first().click();
    await ready('entity');
    check((await page.locator('#entity-name').innerText()).startsWith(q.speaker), 'clicking the speaker opens their page');
  }

  // ---- search finds an article -----------------------------------------------------------
  const titled = kb.documents.find((d) => d.title);
  const word = titled.title.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 5).sort((a, b) => b.length - a.length)[0];
  await page.fill('#q', word);
  await page.press('#q', 'Enter');
  await ready('search');
  const hits = page.locator('#search-results li.hit a');
  const hrefs = await hits.evaluateAll((as) => as.map((a) => decodeURIComponent(a.getAttribute('href'))));
  check(hrefs.includes('#/doc/' + titled.doc), `search "${word}" finds ${titled.doc}`);
  await shot('search');
  await page.locator(`#search-results a[href="#/doc/${encodeURIComponent(titled.doc)}"]`).first().click();
  await ready('doc');
  check((await page.locator('#doc-title').innerText()).trim() === titled.title, 'a search hit opens its article');
  // a search for an entity's name offers the entity
  const ent = kb.entities.find((e) => e.docs.length > 1) || kb.entities[0];
  await page.fill('#q', ent.name);
  await page.press('#q', 'Enter');
  await ready('search');
  check(await page.locator(`#search-entity a[data-entity="${ent.id}"]`).count() === 1, `search "${ent.name}" offers the entity`);

  // ---- stories and graph --------------------------------------------------------------------
  await page.click('header nav a[data-nav="stories"]');
  await ready('stories');
  check(await page.locator('details.story').count() === kb.stories.length, 'stories: every story listed');
  await page.locator('details.story[open] li.story-doc').first().waitFor();
  await shot('stories');
  await page.click('header nav a[data-nav="graph"]');
  await ready('graph');
  check(await page.locator('#graph g.node').count() > 1, 'graph: nodes drawn');
  check(await page.locator('#graph line').count() > 0, 'graph: edges drawn');
  await shot('graph');
  await page.locator('#graph g.node').last().click();
  await ready('entity');
  check(await page.locator('#entity-name').count() === 1, 'a graph node opens its entity');
  // a bad id gives a readable error, not a blank page
  await page.goto(base + '#/entity/999999999');
  await ready('entity');
  check(/404/.test(await page.locator('#view .error').innerText()), 'a bad entity id shows a 404 message');
} catch (e) {
  failures++;
  console.error('FAIL: ' + (e && e.stack || e));
  await shot('failure').catch(() => {});
}
const realProblems = problems.filter((p) => !/404 \(Not Found\)/.test(p));
check(realProblems.length === 0, `no page errors: ${realProblems.length}: ` + realProblems.slice(0, 3).map((p) => p.slice(0, 200)).join(' | '));
check(outside.length === 0, 'nothing fetched from outside the server: ' + outside.join(' '));
await browser.close();
console.log(`browser: ${checks - failures}/${checks} checks passed; screenshots in ${artDir}`);
process.exit(failures ? 1 : 0);

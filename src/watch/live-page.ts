/**
 * The live page of `watch` (`/__cors-doctor/`): one self-contained HTML file (inline CSS and script, nothing
 * loaded from the network) that lists the entries of `exchanges.json` and the ones the event stream
 * (`/__cors-doctor/events`) brings as they arrive: verdict, sequence of exchanges, console lines, causes
 * and fixes, with links to `report.html` (the same entries as one self-contained report) and the JSON.
 * Every value is written as text (never as HTML).
 */

const STYLE = `
:root { color-scheme: light dark; --ok: #1a7f37; --bad: #c62828; --wait: #8a6d00; --dim: #666; --line: #d0d7de; --bg2: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --ok: #4ac26b; --bad: #ff7b72; --wait: #d29922; --dim: #9198a1; --line: #3d444d; --bg2: #151b23; } }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; padding: 1rem 1.5rem 3rem; max-width: 72rem; }
h1 { font-size: 1.3rem; margin: 0 0 .25rem; }
header p { margin: .1rem 0; color: var(--dim); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
#status { font-weight: 600; }
#empty { color: var(--dim); margin-top: 2rem; }
ol#entries { list-style: none; padding: 0; margin: 1rem 0 0; }
li.entry { border: 1px solid var(--line); border-left-width: 6px; border-radius: 6px; margin: 0 0 .8rem; padding: .6rem .9rem; }
li.entry.allowed { border-left-color: var(--ok); }
li.entry.blocked { border-left-color: var(--bad); }
li.entry.pending { border-left-color: var(--wait); }
li.entry.none { border-left-color: var(--line); }
.head { display: flex; flex-wrap: wrap; gap: .3rem .8rem; align-items: baseline; }
.head h2 { font-size: 1rem; margin: 0; }
.verdict { font-weight: 700; letter-spacing: .03em; }
.allowed .verdict { color: var(--ok); } .blocked .verdict { color: var(--bad); } .pending .verdict { color: var(--wait); }
.meta { color: var(--dim); font-size: .85rem; }
ol.sequence { list-style: none; display: flex; flex-wrap: wrap; gap: .3rem; padding: 0; margin: .5rem 0; }
ol.sequence li { background: var(--bg2); border: 1px solid var(--line); border-radius: 4px; padding: .1rem .5rem; font-size: .85rem; }
ol.sequence li.failed { border-color: var(--bad); color: var(--bad); font-weight: 600; }
ol.sequence li.arrow { background: none; border: none; padding: 0; }
h3 { font-size: .9rem; margin: .6rem 0 .2rem; }
pre { background: var(--bg2); border: 1px solid var(--line); border-radius: 4px; padding: .4rem .6rem; white-space: pre-wrap; word-break: break-word; margin: .2rem 0; }
pre.console { border-left: 3px solid var(--bad); }
.cause { margin: .3rem 0; }
.cause .code { font-weight: 700; }
details { margin-top: .4rem; }
summary { cursor: pointer; color: var(--dim); }
table { border-collapse: collapse; font-size: .8rem; margin: .2rem 0 .5rem; }
td, th { border: 1px solid var(--line); padding: .1rem .4rem; text-align: left; vertical-align: top; word-break: break-all; }
@media print { li.entry { break-inside: avoid; } details { display: block; } }
`;

const SCRIPT = `
(() => {
  const list = document.getElementById('entries');
  const empty = document.getElementById('empty');
  const status = document.getElementById('status');
  const count = document.getElementById('count');
  const shown = new Map();
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  };
  const VERDICT = { allowed: 'ALLOWED', blocked: 'BLOCKED', pending: 'WAITING' };
  const BROWSER = { chrome: 'Chrome', firefox: 'Firefox', unknown: 'another browser (judged as Chrome and Firefox)' };
  const headersTable = (title, headers) => {
    const table = el('table', {}, el('caption', {}, title));
    for (const [n, v] of headers || []) table.append(el('tr', {}, el('th', { scope: 'row' }, n), el('td', {}, v)));
    return table;
  };
  const exchangeDetails = (label, x) => {
    if (!x) return null;
    const box = el('div', {});
    box.append(el('h3', {}, label + ': ' + x.request.method + ' ' + x.request.url));
    box.append(headersTable('request headers', x.request.headers));
    if (x.request.body) box.append(el('pre', {}, x.request.body));
    if (x.response) {
      box.append(headersTable('answer ' + x.response.status + ' ' + (x.response.statusText || ''), x.response.headers));
      if (x.response.bodyExcerpt) box.append(el('pre', {}, x.response.bodyExcerpt));
    }
    if (x.predicted) box.append(el('p', { class: 'meta' }, 'not sent: ' + x.predicted.explanation));
    return box;
  };
  const sequence = (e) => {
    const seq = el('ol', { class: 'sequence', 'aria-label': 'sequence of the exchange' });
    const step = (text, failed) => seq.append(el('li', failed ? { class: 'failed' } : {}, (failed ? '✗ ' : '') + text));
    const arrow = () => seq.append(el('li', { class: 'arrow', 'aria-hidden': 'true' }, '→'));
    step('page ' + (e.origin || ''));
    const failAt = e.outcome === 'blocked' ? e.stage : undefined;
    if (e.preflight) {
      arrow(); step('preflight OPTIONS' + (e.preflight.predicted ? ' (from the browser cache)' : ''));
      arrow(); step('answer ' + (e.preflight.response ? e.preflight.response.status : 'none'), failAt === 'preflight');
    }
    const hops = e.redirects || [];
    if (e.actual) {
      const lastActual = !hops.some((x) => x.kind === 'actual');
      arrow(); step('request ' + e.actual.request.method);
      arrow(); step('answer ' + (e.actual.response ? e.actual.response.status : 'none'), lastActual && (failAt === 'actual' || failAt === 'redirect' || failAt === 'network'));
    }
    hops.forEach((x, i) => {
      const last = i === hops.length - 1;
      const what = x.kind === 'preflight' ? 'preflight OPTIONS ' : 'request ' + x.request.method + ' ';
      arrow(); step(what + new URL(x.request.url).pathname + ' (after redirect ' + x.hop + ')');
      arrow(); step('answer ' + (x.response ? x.response.status : 'none'), last && failAt !== undefined);
    });
    if (e.outcome === 'pending') { arrow(); step('waiting for the next request'); }
    if (e.crossOrigin && e.outcome !== 'pending' && e.outcome !== null) { arrow(); step(e.outcome === 'allowed' ? 'page reads it' : 'page cannot read it', e.outcome === 'blocked'); }
    return seq;
  };
  const render = (e) => {
    const cls = e.outcome === 'allowed' || e.outcome === 'blocked' || e.outcome === 'pending' ? e.outcome : 'none';
    const item = el('li', { class: 'entry ' + cls, id: 'entry-' + e.id, 'data-outcome': e.outcome === null ? 'none' : e.outcome });
    const head = el('div', { class: 'head' },
      el('span', { class: 'verdict' }, VERDICT[e.outcome] || (e.crossOrigin ? 'NOT JUDGED' : 'NOT CROSS-ORIGIN')),
      el('h2', {}, el('span', { class: 'mono' }, e.method + ' ' + e.path)),
      el('span', { class: 'meta' }, (e.status === null ? '' : e.status + ' · ') + (e.origin ? 'from ' + e.origin + ' · ' : '') + (BROWSER[e.browser] || e.browser) + ' · ' + e.time.slice(11, 23) + ' · #' + e.id));
    item.append(head, sequence(e));
    if (e.withCredentials) {
      item.append(el('p', {}, 'Credentials mode unknown (no cookie was sent). Judged with fetch()\\'s default; with credentials: \\'include\\' it would be ' + e.withCredentials.outcome + '.'));
    }
    const browsers = Object.entries(e.browsers || {});
    for (const [name, v] of browsers) {
      if (!v.messages.length && !v.warnings.length) continue;
      item.append(el('h3', {}, (BROWSER[name] || name) + ' console'));
      for (const line of v.messages) item.append(el('pre', { class: 'console' }, line));
      for (const line of v.warnings) item.append(el('pre', {}, 'warning: ' + line));
    }
    if (e.withCredentials && e.withCredentials.messages.length) {
      item.append(el('h3', {}, 'console with credentials: \\'include\\''));
      for (const line of e.withCredentials.messages) item.append(el('pre', { class: 'console' }, line));
    }
    if (e.causes.length) {
      item.append(el('h3', {}, 'Cause'));
      for (const c of e.causes) {
        const box = el('div', { class: 'cause' }, el('span', { class: 'code' }, c.code), ' (' + c.severity + '): ' + c.summary);
        for (const loc of c.locations || []) box.append(el('div', { class: 'meta mono' }, loc.file + ':' + loc.line));
        if (c.fix) {
          box.append(el('div', {}, el('strong', {}, 'Fix: '), c.fix.summary));
          if (c.fix.patch) box.append(el('pre', {}, c.fix.patch));
          else if (c.fix.snippet) box.append(el('pre', {}, c.fix.snippet));
        }
        item.append(box);
      }
    }
    for (const note of e.notes || []) item.append(el('p', { class: 'meta' }, note));
    const details = el('details', {}, el('summary', {}, 'Exchanges (headers and bodies)'));
    const pre = exchangeDetails('Preflight', e.preflight);
    const act = exchangeDetails('Request', e.actual);
    if (pre) details.append(pre);
    if (act) details.append(act);
    for (const x of e.redirects || []) details.append(exchangeDetails((x.kind === 'preflight' ? 'Preflight' : 'Request') + ' after redirect ' + x.hop, x));
    item.append(details);
    return item;
  };
  const put = (e) => {
    const node = render(e);
    const old = shown.get(e.id);
    if (old) old.replaceWith(node);
    else {
      let before = null;
      for (const child of list.children) { if (Number(child.id.slice(6)) < e.id) { before = child; break; } }
      list.insertBefore(node, before);
    }
    shown.set(e.id, node);
    empty.hidden = shown.size > 0;
    count.textContent = String(shown.size);
  };
  const connect = () => {
    const events = new EventSource('events');
    events.addEventListener('open', () => { status.textContent = 'live'; });
    events.addEventListener('snapshot', (m) => { for (const e of JSON.parse(m.data)) put(e); });
    events.addEventListener('entry', (m) => put(JSON.parse(m.data)));
    events.addEventListener('drop', (m) => { const id = Number(m.data); const n = shown.get(id); if (n) { n.remove(); shown.delete(id); count.textContent = String(shown.size); } });
    events.addEventListener('error', () => { status.textContent = 'disconnected (retrying)'; });
  };
  connect();
})();
`;

/** The live page, naming the proxy and its target. */
export function livePage(target: string, proxy: string): string {
  const html = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cors-doctor watch</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>cors-doctor watch</h1>
<p>Proxy <code>${html(proxy)}</code> → <code>${html(target)}</code> · <span id="status">connecting</span> · <span id="count">0</span> entries (newest first)</p>
<p><a id="report" href="report.html">The entries as a report</a> (one self-contained page to save, share or print) · <a href="exchanges.json">exchanges.json</a></p>
</header>
<main>
<p id="empty">No request yet: point the frontend's API base URL at <code>${html(proxy)}</code>.</p>
<ol id="entries" aria-live="polite"></ol>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

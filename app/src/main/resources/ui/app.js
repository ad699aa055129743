// The hpc-faas dashboard: a client of the node's own HTTP API, nothing else (no libraries, no other hosts).
'use strict';

const BASE = location.pathname.replace(/\/ui(\/.*)?$/, '');
const TOKEN_KEY = 'hpcfaas.token';
const NAMESPACE_KEY = 'hpcfaas.namespace';
const CHART_POINTS = 90;
const SCRAPE_MS = 2000;
const TEXT_SHOWN = 1 << 20;
const TILE_WINDOW = 15;

const state = {
  token: sessionStorage.getItem(TOKEN_KEY) || '',
  namespace: sessionStorage.getItem(NAMESPACE_KEY) || 'default',
  needsToken: false,
  functions: [],
  deployFile: null,
  lastScrape: null,
  scrapes: [],
  series: { calls: [], failed: [], p95: [], mean: [] },
  outputUrl: null,
  ticks: 0,
};

const $ = (id) => document.getElementById(id);

/** Builds an element; children are nodes or text (never parsed as HTML). */
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// ---- the API ---------------------------------------------------------------------------------------

async function api(path, init = {}) {
  const headers = new Headers(init.headers || {});
  if (state.token) headers.set('Authorization', 'Bearer ' + state.token);
  const response = await fetch(BASE + path, { ...init, headers, cache: 'no-store' });
  if (response.status === 401) {
    askForToken(state.token ? 'The token was not accepted.' : 'This node needs a bearer token.');
  }
  return response;
}

/** The RFC 9457 problem of a failed response (or one made up from its status). */
async function problemOf(response) {
  const type = response.headers.get('Content-Type') || '';
  const text = await response.text();
  if (type.includes('json')) {
    try { return JSON.parse(text); } catch (e) { /* not JSON after all */ }
  }
  return { title: response.status + ' ' + response.statusText, detail: text, status: response.status };
}

function problemText(p) {
  const type = p.type ? p.type.replace('urn:hpcfaas:problem:', '') : '';
  return (p.status ? p.status + ' ' : '') + (type || p.title || 'error') + (p.detail ? ': ' + p.detail : '');
}

function functionPath(name, suffix = '') {
  const simple = encodeURIComponent(name.includes(':') ? name.slice(name.indexOf(':') + 1) : name);
  return state.namespace === 'default'
    ? `/v1/functions/${simple}${suffix}`
    : `/v1/namespaces/${encodeURIComponent(state.namespace)}/functions/${simple}${suffix}`;
}

function listPath() {
  return state.namespace === 'default' ? '/v1/functions'
    : `/v1/namespaces/${encodeURIComponent(state.namespace)}/functions`;
}

function simpleName(name) {
  return name.includes(':') ? name.slice(name.indexOf(':') + 1) : name;
}

function lines(text) {
  return text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
}

// ---- authentication --------------------------------------------------------------------------------

function askForToken(message) {
  state.needsToken = true;
  $('auth-message').textContent = message;
  $('auth-panel').hidden = false;
  renderAuth();
}

function renderAuth() {
  $('auth-form').hidden = !(state.token || state.needsToken);
  $('token-forget').hidden = !state.token;
  $('auth-state').textContent = state.token ? 'token set' : '';
  $('token-input').placeholder = state.token ? 'another token' : 'bearer token (hpcfaas_…)';
}

function useToken(token) {
  state.token = token.trim();
  if (state.token) sessionStorage.setItem(TOKEN_KEY, state.token);
  else sessionStorage.removeItem(TOKEN_KEY);
  state.needsToken = false;
  state.lastScrape = null;
  state.scrapes = [];
  $('auth-panel').hidden = true;
  $('token-input').value = '';
  renderAuth();
  refreshAll();
}

// ---- node and cluster ------------------------------------------------------------------------------

async function refreshHealth() {
  try {
    const response = await fetch(BASE + '/health', { cache: 'no-store' });
    const h = await response.json();
    $('node-info').textContent = `${h.node} · ${h.status} · mode ${h.mode} · ${h.runtime}${h.optimizing ? '' : ' (interpreter)'}`
      + ` · ${h.wasmSlots} WASM slots`;
  } catch (e) {
    $('node-info').textContent = 'node not reachable';
  }
}

function statusBadge(status) {
  const kind = status === 'Up' || status === 'succeeded' ? 'ok'
    : status === 'Unreachable' || status === 'failed' || status === 'Down' ? 'bad' : 'warn';
  return el('span', { class: 'badge ' + kind, text: status });
}

function meter(used, total) {
  const bar = el('span');
  bar.style.width = (total > 0 ? Math.min(100, Math.round(100 * used / total)) : 0) + '%';
  return el('span', { class: 'meter' }, bar);
}

async function refreshCluster() {
  const response = await api('/v1/cluster');
  if (!response.ok) return;
  const cluster = await response.json();
  $('cluster-mode').textContent = 'mode ' + cluster.mode;
  const body = $('cluster-table').tBodies[0];
  body.replaceChildren(...cluster.members.map((m) => el('tr', {},
    el('td', {}, el('span', { class: 'mono', text: m.address.replace('pekko://', '') }), m.self ? el('span', { class: 'chip', text: 'this node' }) : null,
      m.http ? el('div', { class: 'muted mono', text: m.http }) : null),
    el('td', {}, m.roles.map((r) => el('span', { class: 'chip', text: r }))),
    el('td', {}, statusBadge(m.status)),
    el('td', { class: 'num' }, m.wasmSlots === undefined ? '–' : [meter(m.wasmBusy, m.wasmSlots), `${m.wasmBusy} / ${m.wasmSlots}`]),
    el('td', { class: 'num', text: m.inFlight ?? '–' }),
    el('td', { class: 'num', text: m.completed ?? '–' }),
    el('td', { class: 'num', text: m.memoryBudgetMb === undefined ? '–' : `${m.memoryFreeMb} / ${m.memoryBudgetMb} MiB` }),
    el('td', { class: 'num', text: m.callsFromThisGateway }))));
  $('stat-members').textContent = `${cluster.members.filter((m) => m.status === 'Up').length} / ${cluster.members.length}`;
}

// ---- functions -------------------------------------------------------------------------------------

function mountText(m) {
  if (typeof m === 'string') return m;
  const path = m.guestPath ?? m.guest ?? m.path ?? '';
  return `${m.volume ?? m.name ?? '?'}:${path}${m.readOnly ?? m.ro ? ':ro' : ''}`;
}

function bytes(n) {
  if (n === undefined || n === null) return '–';
  if (n < 1024) return n + ' B';
  if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB';
  return (n / 1048576).toFixed(1) + ' MiB';
}

function when(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}

async function refreshFunctions() {
  const response = await api(listPath());
  if (!response.ok) {
    state.functions = [];
    if (response.status !== 401) $('functions-empty').textContent = problemText(await problemOf(response));
    $('functions-empty').hidden = response.status === 401;
    $('functions-table').tBodies[0].replaceChildren();
    renderInvokeChoices();
    return;
  }
  state.functions = (await response.json()).sort((a, b) => a.name.localeCompare(b.name));
  $('functions-empty').textContent = 'No functions in this namespace yet: deploy one below.';
  $('functions-empty').hidden = state.functions.length > 0;
  const selected = $('invoke-function').value;
  $('functions-table').tBodies[0].replaceChildren(...state.functions.map((f) => el('tr',
    { class: simpleName(f.name) === selected ? 'selected' : null, 'data-function': simpleName(f.name) },
    el('td', {}, el('strong', { text: simpleName(f.name) }), f.idempotent ? el('span', { class: 'chip', text: 'idempotent' }) : null,
      f.runtimeEnv === false ? el('span', { class: 'chip', text: 'no runtime env' }) : null),
    el('td', { class: 'num', text: f.version }),
    el('td', { text: (f.kind || '').toLowerCase() }),
    el('td', { class: 'num', text: f.limits.memoryMb + ' MiB' }),
    el('td', { class: 'num', text: f.limits.timeoutMs + ' ms' }),
    el('td', { class: 'num', text: f.limits.concurrency }),
    el('td', {}, (f.mounts || []).length ? f.mounts.map((m) => el('span', { class: 'chip', text: mountText(m) })) : '–'),
    el('td', {}, (f.defaultArgs || []).length ? f.defaultArgs.map((a) => el('span', { class: 'chip', text: a })) : '–'),
    el('td', { class: 'num', text: bytes(f.size) }),
    el('td', {}, el('span', { class: 'mono', title: f.sha256, text: f.sha256.slice(0, 12) })),
    el('td', { text: when(f.created) }),
    el('td', { class: 'num' },
      el('button', { type: 'button', class: 'small secondary', text: 'Invoke', onclick: () => chooseFunction(simpleName(f.name)) }),
      ' ',
      el('button', { type: 'button', class: 'small danger', text: 'Delete', onclick: () => removeFunction(f.name) })))));
  renderInvokeChoices();
}

function renderInvokeChoices() {
  const select = $('invoke-function');
  const current = select.value;
  select.replaceChildren(...state.functions.map((f) => el('option', { value: simpleName(f.name), text: `${simpleName(f.name)} (v${f.version})` })));
  if (state.functions.some((f) => simpleName(f.name) === current)) select.value = current;
  $('invoke-button').disabled = state.functions.length === 0;
}

function chooseFunction(name) {
  $('invoke-function').value = name;
  for (const row of $('functions-table').tBodies[0].rows) row.classList.toggle('selected', row.dataset.function === name);
  $('invoke-card').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  $('invoke-input').focus();
}

async function removeFunction(name) {
  if (!confirm(`Delete ${name} (every version)?`)) return;
  const response = await api(functionPath(name), { method: 'DELETE' });
  if (!response.ok) alert(problemText(await problemOf(response)));
  refreshFunctions();
}

// ---- deploy ----------------------------------------------------------------------------------------

function chooseDeployFile(file) {
  if (!file) return;
  state.deployFile = file;
  $('deploy-drop').classList.add('chosen');
  $('deploy-drop-text').textContent = `${file.name}, ${bytes(file.size)}: change it by dropping another, or`;
  if (!$('deploy-name').value || $('deploy-name').dataset.auto === 'true') {
    $('deploy-name').value = file.name.replace(/\.wasm$/i, '').toLowerCase().replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '').slice(0, 63);
    $('deploy-name').dataset.auto = 'true';
  }
  $('deploy-button').disabled = false;
  setResult('deploy-result', '', '');
}

function setResult(id, text, kind) {
  const node = $(id);
  node.textContent = text;
  node.className = 'result' + (kind ? ' ' + kind : '');
}

async function deploy() {
  const name = $('deploy-name').value.trim();
  if (!state.deployFile || !name) {
    setResult('deploy-result', 'choose a .wasm file and a name', 'bad');
    return;
  }
  const query = new URLSearchParams();
  for (const [param, id] of [['memoryMb', 'deploy-memory'], ['timeoutMs', 'deploy-timeout'], ['concurrency', 'deploy-concurrency']]) {
    if ($(id).value.trim()) query.append(param, $(id).value.trim());
  }
  if ($('deploy-idempotent').checked) query.append('idempotent', 'true');
  lines($('deploy-args').value).forEach((a) => query.append('defaultArg', a));
  lines($('deploy-mounts').value).forEach((m) => query.append('mount', m));
  if (!$('deploy-runtime-env').checked) query.append('runtimeEnv', 'false');
  $('deploy-button').disabled = true;
  setResult('deploy-result', `uploading ${bytes(state.deployFile.size)}…`, '');
  try {
    const qs = query.toString();
    const response = await api(functionPath(name) + (qs ? '?' + qs : ''),
      { method: 'PUT', body: state.deployFile, headers: { 'Content-Type': 'application/wasm' } });
    if (response.ok) {
      const spec = await response.json();
      setResult('deploy-result', `deployed ${simpleName(spec.name)} version ${spec.version} (${spec.kind.toLowerCase()}, sha256 ${spec.sha256.slice(0, 12)})`, 'ok');
      await refreshFunctions();
      chooseFunction(simpleName(spec.name));
    } else {
      setResult('deploy-result', problemText(await problemOf(response)), 'bad');
    }
  } catch (e) {
    setResult('deploy-result', 'upload failed: ' + e.message, 'bad');
  } finally {
    $('deploy-button').disabled = false;
  }
}

// ---- invoke ----------------------------------------------------------------------------------------

function showOutput(buffer) {
  if (state.outputUrl) URL.revokeObjectURL(state.outputUrl);
  state.outputUrl = null;
  const link = $('invoke-download');
  link.hidden = true;
  if (!buffer || buffer.byteLength === 0) {
    $('invoke-output').textContent = '';
    return;
  }
  state.outputUrl = URL.createObjectURL(new Blob([buffer]));
  link.href = state.outputUrl;
  link.hidden = false;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buffer.byteLength > TEXT_SHOWN ? buffer.slice(0, TEXT_SHOWN) : buffer);
    $('invoke-output').textContent = text + (buffer.byteLength > TEXT_SHOWN ? `\n… (${bytes(buffer.byteLength)} in all: download it)` : '');
  } catch (e) {
    $('invoke-output').textContent = `${bytes(buffer.byteLength)} of binary output: download it`;
  }
}

async function invoke() {
  const name = $('invoke-function').value;
  if (!name) return;
  const query = new URLSearchParams();
  lines($('invoke-args').value).forEach((a) => query.append('arg', a));
  for (const line of lines($('invoke-env').value)) {
    const eq = line.indexOf('=');
    if (eq > 0) query.append(line.slice(0, eq), line.slice(eq + 1));
  }
  if ($('invoke-transfer').value !== 'auto') query.append('transfer', $('invoke-transfer').value);
  const fileMode = $('invoke-mode-file').checked;
  const body = fileMode ? $('invoke-file').files[0] : $('invoke-input').value;
  if (fileMode && !body) {
    setResult('invoke-status', 'choose an input file', 'bad');
    return;
  }
  for (const id of ['invoke-node', 'invoke-duration', 'invoke-id']) $(id).textContent = '…';
  $('invoke-stderr').textContent = '';
  showOutput(null);
  setResult('invoke-status', 'running…', '');
  $('invoke-button').disabled = true;
  const started = performance.now();
  try {
    const qs = query.toString();
    const response = await api(functionPath(name, '/invoke') + (qs ? '?' + qs : ''),
      { method: 'POST', body, headers: { 'Content-Type': 'application/octet-stream' } });
    const id = response.headers.get('Hpcfaas-Invocation-Id');
    const node = response.headers.get('Hpcfaas-Node');
    const duration = response.headers.get('Hpcfaas-Duration-Ms');
    let stderr = null;
    if (response.ok) {
      const buffer = await response.arrayBuffer();
      showOutput(buffer);
      setResult('invoke-status', `${response.status} ${response.statusText || 'OK'}, ${bytes(buffer.byteLength)} out, ${Math.round(performance.now() - started)} ms round trip`, 'ok');
    } else {
      const p = await problemOf(response);
      setResult('invoke-status', problemText(p), 'bad');
      stderr = p.stderr ?? null;
    }
    $('invoke-id').textContent = id || '–';
    $('invoke-node').textContent = node || '–';
    $('invoke-duration').textContent = duration !== null ? duration + ' ms' : '–';
    if (id) {
      const record = await invocationRecord(id);
      if (record) {
        if (stderr === null) stderr = record.stderr ?? '';
        if (duration === null && record.durationMs !== undefined && record.durationMs !== null) {
          $('invoke-duration').textContent = record.durationMs + ' ms';
        }
        if (!node && record.node) $('invoke-node').textContent = record.node;
      }
    }
    $('invoke-stderr').textContent = stderr || '';
    $('invoke-stderr').dataset.empty = stderr ? 'false' : 'true';
  } catch (e) {
    setResult('invoke-status', 'the call failed: ' + e.message, 'bad');
  } finally {
    $('invoke-button').disabled = false;
    refreshRecent();
  }
}

/** How the invocation went as its worker recorded it (the stderr of a call that succeeded is only there). */
async function invocationRecord(id) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const response = await api('/v1/invocations/' + encodeURIComponent(id));
    if (response.ok) return response.json();
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return null;
}

// ---- recent invocations ----------------------------------------------------------------------------

async function refreshRecent() {
  const names = state.functions.slice(0, 25).map((f) => f.name);
  const lists = await Promise.all(names.map(async (name) => {
    const response = await api(functionPath(name, '/logs'));
    return response.ok ? response.json() : [];
  }));
  const entries = lists.flat().sort((a, b) => String(b.started).localeCompare(String(a.started))).slice(0, 30);
  $('recent-empty').hidden = entries.length > 0;
  $('recent-table').tBodies[0].replaceChildren(...entries.map((e) => el('tr', {},
    el('td', { text: when(e.started) }),
    el('td', {}, el('strong', { text: simpleName(e.function) }), el('span', { class: 'muted', text: ' v' + e.version })),
    el('td', {}, statusBadge(e.status), e.problem ? el('div', { class: 'muted', text: e.problem.type.replace('urn:hpcfaas:problem:', '') }) : null),
    el('td', { class: 'num', text: e.durationMs + ' ms' }),
    el('td', { class: 'num', text: e.queuedMs + ' ms' }),
    el('td', { class: 'num', text: bytes(e.bytesIn) }),
    el('td', { class: 'num', text: bytes(e.bytesOut) }),
    el('td', {}, el('span', { class: 'mono', text: (e.node || '').replace('pekko://hpcfaas@', '') })),
    el('td', {}, el('span', { class: 'mono', title: e.id, text: e.id.slice(0, 8) })),
    el('td', {}, e.stderr ? el('details', {}, el('summary', { text: `${e.stderr.length} chars` }), el('pre', { text: e.stderr })) : '–'))));
}

// ---- metrics and charts ----------------------------------------------------------------------------

/** Prometheus text format: one sample per line, {name, labels, value}. */
function parseMetrics(text) {
  const samples = [];
  const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = sample.exec(line);
    if (!m) continue;
    const labels = {};
    for (const l of (m[2] || '').matchAll(label)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    const v = m[3];
    const value = v === '+Inf' || v === 'Inf' ? Infinity : v === '-Inf' ? -Infinity : parseFloat(v);
    samples.push({ name: m[1], labels, value });
  }
  return samples;
}

/** The totals the charts need from one scrape. */
function totals(samples) {
  const t = { calls: 0, failed: 0, sum: 0, count: 0, buckets: new Map(), busy: 0, threads: 0, inFlight: 0 };
  for (const s of samples) {
    switch (s.name) {
      case 'hpcfaas_invocations_total':
        t.calls += s.value;
        if (s.labels.outcome !== 'Succeeded') t.failed += s.value;
        break;
      case 'hpcfaas_invocation_duration_seconds_sum': t.sum += s.value; break;
      case 'hpcfaas_invocation_duration_seconds_count': t.count += s.value; break;
      case 'hpcfaas_invocation_duration_seconds_bucket': {
        const le = s.labels.le === '+Inf' ? Infinity : parseFloat(s.labels.le);
        t.buckets.set(le, (t.buckets.get(le) || 0) + s.value);
        break;
      }
      case 'hpcfaas_wasm_busy_threads': t.busy += s.value; break;
      case 'hpcfaas_wasm_threads': t.threads += s.value; break;
      case 'hpcfaas_function_in_flight': t.inFlight += s.value; break;
      default:
    }
  }
  return t;
}

/** histogram_quantile over the bucket increments between two scrapes, in seconds (null: no calls). */
function quantile(q, now, before) {
  const bounds = [...now.buckets.keys()].sort((a, b) => a - b);
  const delta = bounds.map((le) => Math.max(0, (now.buckets.get(le) || 0) - ((before && before.buckets.get(le)) || 0)));
  const total = delta[delta.length - 1];
  if (!total) return null;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if (delta[i] >= rank) {
      const upper = bounds[i];
      const lower = i === 0 ? 0 : bounds[i - 1];
      if (upper === Infinity) return lower;
      const below = i === 0 ? 0 : delta[i - 1];
      const inBucket = delta[i] - below;
      return lower + (upper - lower) * (inBucket > 0 ? (rank - below) / inBucket : 1);
    }
  }
  return null;
}

/** Calls and failures per second, mean and p95 latency (seconds) from one scrape to a later one. */
function between(before, now) {
  const seconds = (now.at - before.at) / 1000;
  const counted = now.count - before.count;
  return {
    calls: Math.max(0, now.calls - before.calls) / seconds,
    failed: Math.max(0, now.failed - before.failed) / seconds,
    mean: counted > 0 ? (now.sum - before.sum) / counted : null,
    p95: quantile(0.95, now, before),
  };
}

function push(series, value) {
  series.push(value);
  if (series.length > CHART_POINTS) series.shift();
}

function formatMs(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const ms = seconds * 1000;
  return ms < 10 ? ms.toFixed(2) + ' ms' : ms < 1000 ? ms.toFixed(0) + ' ms' : (ms / 1000).toFixed(2) + ' s';
}

async function scrape() {
  const response = await api('/metrics');
  if (response.status === 401) return;
  if (!response.ok) {
    $('charts-note').hidden = false;
    $('charts-note').textContent = response.status === 404
      ? 'The charts read GET /metrics, which only admin tokens may read.'
      : 'GET /metrics: ' + problemText(await problemOf(response));
    return;
  }
  $('charts-note').hidden = true;
  const now = { at: performance.now(), ...totals(parseMetrics(await response.text())) };
  const before = state.lastScrape;
  state.lastScrape = now;
  state.scrapes.push(now);
  if (state.scrapes.length > TILE_WINDOW + 1) state.scrapes.shift();
  $('stat-busy').textContent = `${now.busy} / ${now.threads}`;
  $('stat-inflight').textContent = String(now.inFlight);
  if (!before) return;
  const interval = between(before, now);
  push(state.series.calls, interval.calls);
  push(state.series.failed, interval.failed);
  push(state.series.p95, interval.p95 === null ? null : interval.p95 * 1000);
  push(state.series.mean, interval.mean === null ? null : interval.mean * 1000);
  const recent = between(state.scrapes[0], now);
  $('stat-rate').textContent = recent.calls < 10 ? recent.calls.toFixed(1) : recent.calls.toFixed(0);
  $('stat-p95').textContent = formatMs(recent.p95);
  $('stat-mean').textContent = formatMs(recent.mean);
  drawChart($('chart-rate'), [[state.series.calls, '--series-1'], [state.series.failed, '--series-2']], axisLabel);
  drawChart($('chart-latency'), [[state.series.p95, '--series-3'], [state.series.mean, '--series-4']], axisLabel);
}

/** A line chart of the last CHART_POINTS scrapes; null values leave gaps. */
function drawChart(canvas, lineSeries, label) {
  const css = getComputedStyle(document.documentElement);
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
  if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
  const g = canvas.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  const left = 44;
  const right = 8;
  const top = 8;
  const bottom = 18;
  const values = lineSeries.flatMap(([s]) => s.filter((v) => v !== null && Number.isFinite(v)));
  const max = values.length ? niceMax(Math.max(1e-6, ...values)) : 1;
  g.font = '11px system-ui, sans-serif';
  g.fillStyle = css.getPropertyValue('--muted').trim();
  g.strokeStyle = css.getPropertyValue('--line').trim();
  g.lineWidth = 1;
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (let i = 0; i <= 4; i++) {
    const y = top + (height - top - bottom) * (1 - i / 4);
    g.beginPath();
    g.moveTo(left, Math.round(y) + 0.5);
    g.lineTo(width - right, Math.round(y) + 0.5);
    g.stroke();
    g.fillText(label(max * i / 4), left - 6, y);
  }
  g.textAlign = 'left';
  g.textBaseline = 'alphabetic';
  g.fillText(`last ${Math.round(CHART_POINTS * SCRAPE_MS / 60000)} min`, left, height - 4);
  const step = (width - left - right) / (CHART_POINTS - 1);
  for (const [series, color] of lineSeries) {
    g.strokeStyle = css.getPropertyValue(color).trim();
    g.lineWidth = 2;
    g.beginPath();
    let drawing = false;
    series.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) {
        drawing = false;
        return;
      }
      const x = left + step * (CHART_POINTS - series.length + i);
      const y = top + (height - top - bottom) * (1 - v / max);
      if (drawing) g.lineTo(x, y);
      else g.moveTo(x, y);
      drawing = true;
    });
    g.stroke();
  }
}

function axisLabel(v) {
  if (v === 0) return '0';
  if (v < 1) return v.toFixed(2);
  return v < 10 ? v.toFixed(1).replace(/\.0$/, '') : v.toFixed(0);
}

function niceMax(value) {
  const magnitude = Math.pow(10, Math.floor(Math.log10(value)));
  for (const m of [1, 2, 4, 8, 10]) {
    if (value <= m * magnitude) return m * magnitude;
  }
  return 10 * magnitude;
}

// ---- wiring ----------------------------------------------------------------------------------------

async function refreshAll() {
  await refreshHealth();
  await refreshFunctions();
  await Promise.all([refreshCluster(), refreshRecent(), scrape()]);
}

async function tick() {
  if (document.hidden || state.needsToken) return;
  state.ticks++;
  try {
    await Promise.all([scrape(), refreshCluster()]);
    if (state.ticks % 3 === 0) {
      await refreshFunctions();
      await refreshRecent();
    }
    if (state.ticks % 15 === 0) await refreshHealth();
  } catch (e) {
    $('node-info').textContent = 'node not reachable: ' + e.message;
  }
}

function wire() {
  $('namespace').value = state.namespace;
  $('namespace').addEventListener('change', () => {
    state.namespace = $('namespace').value.trim() || 'default';
    sessionStorage.setItem(NAMESPACE_KEY, state.namespace);
    refreshFunctions().then(refreshRecent);
  });
  $('functions-refresh').addEventListener('click', () => refreshFunctions().then(refreshRecent));
  $('auth-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if ($('token-input').value.trim()) useToken($('token-input').value);
  });
  $('token-forget').addEventListener('click', () => useToken(''));

  const drop = $('deploy-drop');
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    chooseDeployFile(event.dataTransfer.files[0]);
  });
  $('deploy-file').addEventListener('change', () => chooseDeployFile($('deploy-file').files[0]));
  $('deploy-name').addEventListener('input', () => { $('deploy-name').dataset.auto = 'false'; });
  $('deploy-button').addEventListener('click', deploy);

  $('invoke-function').addEventListener('change', () => chooseFunction($('invoke-function').value));
  for (const id of ['invoke-mode-text', 'invoke-mode-file']) {
    $(id).addEventListener('change', () => {
      const file = $('invoke-mode-file').checked;
      $('invoke-file').hidden = !file;
      $('invoke-input').hidden = file;
    });
  }
  $('invoke-button').addEventListener('click', invoke);
  $('invoke-input').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) invoke();
  });
  window.addEventListener('resize', () => {
    drawChart($('chart-rate'), [[state.series.calls, '--series-1'], [state.series.failed, '--series-2']], axisLabel);
    drawChart($('chart-latency'), [[state.series.p95, '--series-3'], [state.series.mean, '--series-4']], axisLabel);
  });

  renderAuth();
  drawChart($('chart-rate'), [[[], '--series-1']], axisLabel);
  drawChart($('chart-latency'), [[[], '--series-3']], axisLabel);
  refreshAll();
  setInterval(tick, SCRAPE_MS);
}

wire();

// trtc-gateway console. It is a client of the gateway's public JSON API only
// (GET /v1/events:subscribe as JSON lines, read with fetch() so that it can
// send the bearer token), so it shows exactly what any client with the same
// token could see. Nothing here is fetched from anywhere but this gateway.
'use strict';

(() => {
  // Rows kept on the page; older ones are dropped from the page, never from the log.
  const ROW_CAP = 1000;
  // The bearer token lives in this tab's session storage, never in the address.
  const TOKEN_KEY = 'trtcgw.console.token';
  // Subscribe's filter fields, as the JSON API's query parameters name them.
  const FILTER_FIELDS = ['sdk_app_ids', 'event_types', 'callback_commands', 'call_ids', 'room_ids', 'user_accounts'];
  const TYPE_PREFIX = 'EVENT_TYPE_';
  // Reconnect backoff: 1 s doubling to 30 s, with ±20% jitter so that many
  // consoles do not come back at the same instant after a restart.
  const BACKOFF_MIN_MS = 1000;
  const BACKOFF_MAX_MS = 30000;
  // gRPC status codes the page acts on.
  const CODE = { INVALID_ARGUMENT: 3, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, OUT_OF_RANGE: 11, UNAVAILABLE: 14, UNAUTHENTICATED: 16 };
  const CODE_NAME = Object.fromEntries(Object.entries(CODE).map(([k, v]) => [v, k]));

  // The API lives beside /console/, so a reverse proxy's path prefix is kept.
  const API = new URL('../v1/', location.href);

  const $ = (id) => document.getElementById(id);
  const el = {
    status: $('status'), statusText: $('status-text'),
    notice: $('notice'), noticeText: $('notice-text'), noticeActions: $('notice-actions'),
    tokenForm: $('token-form'), tokenInput: $('token-input'), tokenToggle: $('token-toggle'), tokenForget: $('token-forget'), tokenState: $('token-state'),
    filters: $('filters'), filtersClear: $('filters-clear'),
    pause: $('pause'), fromStart: $('from-start'), clearTable: $('clear-table'), counts: $('counts'),
    rows: $('rows'), empty: $('empty'),
    eventsView: $('events-view'), callView: $('call-view'), roomView: $('room-view'),
    detail: $('detail'), detailTitle: $('detail-title'), detailJSON: $('detail-json'), detailLinks: $('detail-links'),
    detailCopy: $('detail-copy'), detailClose: $('detail-close'),
  };

  const state = {
    viewKey: null,   // the events view's filters and start, as in the address; null before the first start
    filters: {},     // field → values
    fromStart: false,
    cursor: null,    // {seq, epoch} of the last event received: where a resume continues
    ctrl: null,      // the open stream's AbortController, null when none is open
    gen: 0,          // bumped for every connection, so a stale stream's callbacks do nothing
    paused: false,
    held: [],        // events that arrived while paused
    stopped: false,  // waiting for the person (token, epoch, filters), not retrying
    attempt: 0,
    retryTimer: 0,
    countdown: 0,
    received: 0,
    dropped: 0,
    pending: [],     // events waiting for the next frame
    frame: 0,
    events: new Map(), // sequence → event, for the rows on the page
    lastBeat: null,
  };

  // ---------- small helpers ----------

  function node(tag, className, text) {
    const n = document.createElement(tag);
    if (className) n.className = className;
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function splitList(s) {
    return s.split(/[\s,]+/).map((v) => v.trim()).filter(Boolean);
  }

  function shortType(t) {
    if (typeof t !== 'string') return String(t ?? '');
    return t.startsWith(TYPE_PREFIX) ? t.slice(TYPE_PREFIX.length) : t;
  }

  function pad(n, w = 2) {
    return String(n).padStart(w, '0');
  }

  function clock(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    const t = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    // Today's events to the millisecond; older ones (a replay) with their date.
    if (d.toDateString() === new Date().toDateString()) return `${t}.${pad(d.getMilliseconds(), 3)}`;
    return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${t}`;
  }

  // ---------- connection status and notices ----------

  function setStatus(kind, text, title) {
    el.status.dataset.state = kind;
    el.statusText.textContent = text;
    el.status.title = title || text;
  }

  function showNotice(text, actions = [], kind = 'error') {
    el.notice.dataset.kind = kind;
    el.noticeText.textContent = text;
    el.noticeActions.replaceChildren(...actions.map(([label, fn]) => {
      const b = node('button', '', label);
      b.type = 'button';
      b.addEventListener('click', fn);
      return b;
    }));
    el.notice.hidden = false;
  }

  function hideNotice() {
    el.notice.hidden = true;
    el.noticeText.textContent = '';
    el.noticeActions.replaceChildren();
  }

  function liveText() {
    const n = FILTER_FIELDS.reduce((a, f) => a + (state.filters[f]?.length ? 1 : 0), 0);
    return n ? `live · ${n} filter${n > 1 ? 's' : ''}` : 'live · all events this token may read';
  }

  function showLive() {
    let title = liveText();
    if (state.lastBeat) title += ` · last heartbeat ${clock(state.lastBeat.time)}, log head #${state.lastBeat.headSequence || 0}`;
    setStatus('live', liveText(), title);
  }

  // ---------- the token ----------

  function token() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || '';
    } catch {
      return '';
    }
  }

  function setToken(t) {
    try {
      if (t) sessionStorage.setItem(TOKEN_KEY, t);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // Storage refused (a locked-down profile): the token lasts for this page only.
    }
    memoryToken = t;
    el.tokenState.hidden = !t;
  }
  let memoryToken = '';
  function currentToken() {
    return token() || memoryToken;
  }

  function openTokenForm() {
    el.tokenForm.hidden = false;
    el.tokenToggle.setAttribute('aria-expanded', 'true');
    el.tokenInput.focus();
  }

  function closeTokenForm() {
    el.tokenForm.hidden = true;
    el.tokenToggle.setAttribute('aria-expanded', 'false');
    el.tokenInput.value = '';
  }

  // ---------- the stream ----------

  function subscribeURL() {
    const u = new URL('./events:subscribe', API);
    for (const f of FILTER_FIELDS) {
      for (const v of state.filters[f] || []) {
        u.searchParams.append(f, f === 'event_types' && !/^\d+$/.test(v) ? TYPE_PREFIX + v : v);
      }
    }
    if (state.cursor) {
      u.searchParams.set('after_sequence', state.cursor.seq);
      if (state.cursor.epoch) u.searchParams.set('epoch', state.cursor.epoch);
    } else if (state.fromStart) {
      u.searchParams.set('after_sequence', '0');
    }
    return u;
  }

  function closeStream() {
    state.gen++;
    if (state.ctrl) state.ctrl.abort();
    state.ctrl = null;
    clearTimeout(state.retryTimer);
    clearInterval(state.countdown);
    state.retryTimer = 0;
    state.countdown = 0;
  }

  function connect() {
    closeStream();
    state.stopped = false;
    const gen = state.gen;
    const ctrl = new AbortController();
    state.ctrl = ctrl;
    setStatus('connecting', state.attempt ? `reconnecting (attempt ${state.attempt})…` : 'connecting…');
    readStream(gen, ctrl).catch((err) => {
      if (gen === state.gen && !ctrl.signal.aborted) retry(`the stream broke (${err.message})`);
    });
  }

  async function readStream(gen, ctrl) {
    const headers = { Accept: 'application/json' };
    const t = currentToken();
    if (t) headers.Authorization = `Bearer ${t}`;
    let res;
    try {
      res = await fetch(subscribeURL(), { headers, signal: ctrl.signal, cache: 'no-store', credentials: 'omit' });
    } catch (err) {
      if (!ctrl.signal.aborted && gen === state.gen) retry(`cannot reach the gateway (${err.message})`);
      return;
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      if (gen === state.gen) onStreamError(parseError(text, res.status));
      return;
    }
    state.attempt = 0;
    if (!state.paused) {
      hideNoticeUnlessSticky();
      showLive();
    }
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      let r;
      try {
        r = await reader.read();
      } catch (err) {
        if (!ctrl.signal.aborted && gen === state.gen) retry(`the stream broke (${err.message})`);
        return;
      }
      if (r.done) break;
      buf += dec.decode(r.value, { stream: true });
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (gen !== state.gen) return;
        if (line.trim() !== '' && !onLine(line)) return;
      }
    }
    if (gen === state.gen && !ctrl.signal.aborted) retry('the gateway ended the stream');
  }

  // onLine handles one JSON line; false means the stream ended with an error.
  function onLine(line) {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      retry('the gateway sent a line that is not JSON');
      return false;
    }
    if (msg.error) {
      onStreamError(normError(msg.error, 200));
      return false;
    }
    const r = msg.result || {};
    if (r.event) onEvent(r.event);
    else if (r.heartbeat) onHeartbeat(r.heartbeat);
    return true;
  }

  function onEvent(ev) {
    const seq = String(ev.sequence ?? '0');
    const c = state.cursor;
    // The API resumes with no duplicate; this only guards the page against a
    // confused proxy replaying bytes.
    if (c && c.epoch === (ev.epoch || '') && BigInt(seq) <= BigInt(c.seq)) return;
    state.cursor = { seq, epoch: ev.epoch || '' };
    state.received++;
    for (const fn of eventHooks) fn(ev);
    if (state.paused) {
      // Hold it and close the stream: resume reads on from the cursor.
      state.held.push(ev);
      if (state.ctrl) {
        state.ctrl.abort();
        state.ctrl = null;
      }
      showPaused();
      return;
    }
    enqueue(ev);
  }

  function onHeartbeat(hb) {
    state.lastBeat = hb;
    if (!state.paused && !state.stopped) showLive();
  }

  function parseError(text, httpStatus) {
    try {
      const o = JSON.parse(text.split('\n')[0]);
      if (o && o.error) return normError(o.error, httpStatus);
      if (o && typeof o.code === 'number') return normError(o, httpStatus);
    } catch {
      // not JSON: a proxy's page, say
    }
    return { code: 0, message: `HTTP ${httpStatus}${text ? `: ${text.slice(0, 200)}` : ''}`, http: httpStatus };
  }

  function normError(e, httpStatus) {
    return { code: Number(e.code) || 0, message: String(e.message || ''), http: httpStatus };
  }

  function describe(err) {
    const name = CODE_NAME[err.code];
    return name ? `${name}: ${err.message}` : err.message;
  }

  function stop(statusText, text, actions) {
    closeStream();
    state.stopped = true;
    setStatus('error', statusText, text);
    showNotice(text, actions);
  }

  function startOverActions() {
    return [
      ['Start over: live', () => startEvents({ fromStart: false, force: true })],
      ['Start over: from the start of the log', () => startEvents({ fromStart: true, force: true })],
    ];
  }

  function onStreamError(err) {
    switch (err.code) {
      case CODE.UNAUTHENTICATED:
        if (currentToken()) {
          stop('token refused', `The gateway refused this token (401 UNAUTHENTICATED): ${err.message}. Enter another token.`,
            [['Enter another token', openTokenForm]]);
        } else {
          stop('token needed', 'This gateway requires a bearer token (it runs with --api-tokens). Enter one; it is kept in this tab only and sent as the Authorization header.',
            [['Enter a token', openTokenForm]]);
        }
        openTokenForm();
        return;
      case CODE.PERMISSION_DENIED:
        stop('permission denied', `This token may not read what the filters ask for (403 PERMISSION_DENIED): ${err.message}. Narrow the Apps filter to the token's apps, or use another token.`,
          [['Use another token', openTokenForm], ['Clear filters', () => navigateEvents({}, false)]]);
        return;
      case CODE.FAILED_PRECONDITION:
        stop('epoch changed', `The event log was recreated (its epoch changed), so the sequence numbers this page holds now mean other events. ${err.message}`,
          startOverActions());
        return;
      case CODE.OUT_OF_RANGE:
        stop('cursor out of range', `The place this page would resume from is not in the log: ${err.message}`, startOverActions());
        return;
      case CODE.INVALID_ARGUMENT:
        stop('invalid filter', `The gateway rejected the filters (400 INVALID_ARGUMENT): ${err.message}`,
          [['Clear filters', () => navigateEvents({}, false)]]);
        return;
      default:
        retry(describe(err));
    }
  }

  function retry(reason) {
    closeStream();
    if (state.paused) {
      showPaused();
      return;
    }
    state.attempt++;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (state.attempt - 1));
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    const at = Date.now() + delay;
    const tick = () => {
      const s = Math.max(0, Math.ceil((at - Date.now()) / 1000));
      setStatus('reconnecting', `reconnecting in ${s} s (attempt ${state.attempt}): ${reason}`);
    };
    tick();
    state.countdown = setInterval(tick, 1000);
    state.retryTimer = setTimeout(connect, delay);
  }

  // ---------- pause and resume ----------

  function showPaused() {
    const c = state.cursor;
    const text = c ? `paused after #${c.seq}; Resume reads on from there` : 'paused; the stream stays open until the first event marks the place';
    setStatus('paused', text);
  }

  function pause() {
    if (state.paused) return;
    state.paused = true;
    el.pause.textContent = 'Resume';
    el.pause.setAttribute('aria-pressed', 'true');
    // With a cursor the stream can close now: resume replays from the log.
    // Without one, it stays open so that the first event can mark the place.
    if (state.cursor || state.retryTimer) closeStream();
    if (!state.stopped) showPaused();
  }

  function resume() {
    if (!state.paused) return;
    state.paused = false;
    el.pause.textContent = 'Pause';
    el.pause.setAttribute('aria-pressed', 'false');
    for (const ev of state.held) enqueue(ev);
    state.held = [];
    if (state.stopped) return;
    if (state.ctrl) showLive();
    else connect();
  }

  // ---------- the table ----------

  function enqueue(ev) {
    state.pending.push(ev);
    if (state.pending.length > ROW_CAP) {
      const n = state.pending.length - ROW_CAP;
      state.pending.splice(0, n);
      state.dropped += n;
    }
    if (!state.frame) {
      state.frame = document.hidden ? setTimeout(flush, 250) : requestAnimationFrame(flush);
    }
  }

  function flush() {
    state.frame = 0;
    const evs = state.pending;
    state.pending = [];
    const frag = document.createDocumentFragment();
    for (let i = evs.length - 1; i >= 0; i--) {
      const ev = evs[i];
      state.events.set(String(ev.sequence), ev);
      frag.appendChild(row(ev));
    }
    el.rows.insertBefore(frag, el.rows.firstChild);
    while (el.rows.childElementCount > ROW_CAP) {
      const last = el.rows.lastElementChild;
      state.events.delete(last.dataset.seq);
      last.remove();
      state.dropped++;
    }
    updateCounts();
  }

  function cell(tr, className, text, title) {
    const td = node('td', className, text);
    if (title) td.title = title;
    tr.appendChild(td);
    return td;
  }

  function keyLink(kind, app, id) {
    const frag = document.createDocumentFragment();
    frag.appendChild(node('span', 'key-kind', kind));
    const view = VIEWS[kind];
    if (view) {
      const a = node('a', 'mono', id);
      a.href = `#${kind}?${new URLSearchParams({ app: String(app), id })}`;
      a.title = `Open the ${kind} view of ${id}`;
      frag.appendChild(a);
    } else {
      frag.appendChild(node('span', 'mono', id));
    }
    return frag;
  }

  function row(ev) {
    const seq = String(ev.sequence);
    const tr = node('tr', 'fresh');
    tr.dataset.seq = seq;
    tr.dataset.type = shortType(ev.type);

    const b = node('button', 'seq', seq);
    b.type = 'button';
    b.setAttribute('aria-label', `Open event ${seq}`);
    cell(tr, 'c-seq').appendChild(b);

    const when = ev.eventTime || ev.receivedAt;
    cell(tr, 'mono muted', clock(when), `event time ${ev.eventTime || '—'}\nreceived ${ev.receivedAt || '—'}`);
    cell(tr, 'mono', String(ev.sdkAppId ?? ''));

    const type = shortType(ev.type);
    const badge = node('span', 'type', type);
    badge.dataset.family = type.split('_')[0].toLowerCase();
    cell(tr, '', undefined, ev.type).appendChild(badge);

    cell(tr, 'mono', ev.callbackCommand || '', ev.callbackCommand);

    const key = cell(tr, '');
    const ids = [];
    if (ev.callId) {
      key.appendChild(keyLink('call', ev.sdkAppId, ev.callId));
      ids.push(`call ${ev.callId}`);
    }
    if (ev.roomId) {
      if (ev.callId) key.appendChild(document.createTextNode(' '));
      key.appendChild(keyLink('room', ev.sdkAppId, ev.roomId));
      ids.push(`room ${ev.roomId}`);
    }
    key.title = ids.join('\n');

    const users = Array.isArray(ev.userAccounts) ? ev.userAccounts : [];
    // Two short names read at a glance; long (64-bit) accounts show the first and a count.
    const two = users.slice(0, 2).join(', ');
    const shown = users.length <= 2 && two.length <= 24 ? two : `${users[0]} +${users.length - 1}`;
    cell(tr, 'mono', shown, users.join('\n'));
    return tr;
  }

  function updateCounts() {
    const shown = el.rows.childElementCount;
    el.empty.hidden = shown > 0;
    let s = `${state.received.toLocaleString()} received · ${shown.toLocaleString()} shown`;
    if (state.dropped) s += ` · ${state.dropped.toLocaleString()} older dropped from the page (still in the log)`;
    el.counts.textContent = s;
  }

  function clearTable() {
    if (state.frame) {
      cancelAnimationFrame(state.frame);
      clearTimeout(state.frame);
      state.frame = 0;
    }
    state.pending = [];
    state.events.clear();
    el.rows.replaceChildren();
    state.dropped = 0;
    updateCounts();
  }

  // ---------- the event dialog ----------

  function openEvent(seq) {
    const ev = state.events.get(seq);
    if (!ev) return;
    el.detailTitle.textContent = `Event #${seq} · ${shortType(ev.type)} · ${ev.callbackCommand || ''}`;
    el.detailJSON.textContent = JSON.stringify(ev, null, 2);
    el.detailLinks.replaceChildren();
    if (ev.callId && VIEWS.call) el.detailLinks.appendChild(keyLink('call', ev.sdkAppId, ev.callId));
    if (ev.roomId && VIEWS.room) el.detailLinks.appendChild(keyLink('room', ev.sdkAppId, ev.roomId));
    el.detailCopy.textContent = 'Copy JSON';
    el.detail.showModal();
  }

  async function copyDetail() {
    const text = el.detailJSON.textContent;
    let ok = false;
    try {
      await navigator.clipboard.writeText(text);
      ok = true;
    } catch {
      // No clipboard API (plain http off loopback): select the text and copy it.
      const range = document.createRange();
      range.selectNodeContents(el.detailJSON);
      const sel = getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      ok = document.execCommand('copy');
    }
    el.detailCopy.textContent = ok ? 'Copied' : 'Selected: press Ctrl+C';
  }

  // ---------- views and the address ----------

  // VIEWS lists the views reached from an event's call or room id; views.js
  // fills it. eventHooks see every event as it arrives (a view refreshes).
  const VIEWS = {};
  const eventHooks = [];

  function parseHash() {
    const h = location.hash.replace(/^#/, '');
    const q = h.indexOf('?');
    const name = (q >= 0 ? h.slice(0, q) : h) || 'events';
    return { name, params: new URLSearchParams(q >= 0 ? h.slice(q + 1) : '') };
  }

  function eventsHash(filters, fromStart) {
    const p = new URLSearchParams();
    for (const f of FILTER_FIELDS) for (const v of filters[f] || []) p.append(f, v);
    if (fromStart) p.set('from', 'start');
    const s = p.toString();
    return s ? `#events?${s}` : '#events';
  }

  function navigateEvents(filters, fromStart) {
    const h = eventsHash(filters, fromStart);
    if (location.hash === h) startEvents({ fromStart, force: true });
    else location.hash = h;
  }

  function readFilters(params) {
    const f = {};
    for (const name of FILTER_FIELDS) {
      const vs = params.getAll(name).flatMap(splitList);
      if (vs.length) f[name] = name === 'event_types' ? vs.map((v) => shortType(v.toUpperCase())) : vs;
    }
    return f;
  }

  function fillFilterForm() {
    for (const name of FILTER_FIELDS) el.filters.elements[name].value = (state.filters[name] || []).join(', ');
  }

  function startEvents({ fromStart, force }) {
    const { params } = parseHash();
    const filters = readFilters(params);
    const key = eventsHash(filters, fromStart);
    if (!force && key === state.viewKey && !state.stopped) return;
    state.viewKey = key;
    state.filters = filters;
    state.fromStart = fromStart;
    state.cursor = null;
    state.held = [];
    state.received = 0;
    state.attempt = 0;
    state.lastBeat = null;
    if (state.paused) {
      state.paused = false;
      el.pause.textContent = 'Pause';
      el.pause.setAttribute('aria-pressed', 'false');
    }
    fillFilterForm();
    clearTable();
    hideNotice();
    connect();
  }

  function hideNoticeUnlessSticky() {
    if (!state.stopped) hideNotice();
  }

  function route() {
    const { name, params } = parseHash();
    const view = VIEWS[name];
    el.eventsView.hidden = !!view;
    el.callView.hidden = name !== 'call' || !view;
    el.roomView.hidden = name !== 'room' || !view;
    if (view) {
      view(params);
      if (state.viewKey === null) startEvents({ fromStart: false, force: false });
      return;
    }
    startEvents({ fromStart: params.get('from') === 'start', force: false });
  }

  // ---------- wiring ----------

  // formFilters reads the filter inputs: values split on commas and spaces.
  function formFilters() {
    const f = {};
    for (const name of FILTER_FIELDS) {
      const vs = splitList(el.filters.elements[name].value);
      if (vs.length) f[name] = name === 'event_types' ? vs.map((v) => shortType(v.toUpperCase())) : vs;
    }
    return f;
  }

  el.filters.addEventListener('submit', (e) => {
    e.preventDefault();
    navigateEvents(formFilters(), false);
  });
  el.filtersClear.addEventListener('click', () => navigateEvents({}, false));
  el.pause.addEventListener('click', () => (state.paused ? resume() : pause()));
  el.fromStart.addEventListener('click', () => navigateEvents(formFilters(), true));
  el.clearTable.addEventListener('click', clearTable);

  el.rows.addEventListener('click', (e) => {
    if (e.target.closest('a')) return;
    const tr = e.target.closest('tr');
    if (tr) openEvent(tr.dataset.seq);
  });
  el.detailCopy.addEventListener('click', copyDetail);
  el.detailClose.addEventListener('click', () => el.detail.close());
  el.detail.addEventListener('click', (e) => {
    if (e.target === el.detail) el.detail.close(); // a click on the backdrop
  });
  el.detailLinks.addEventListener('click', (e) => {
    if (e.target.closest('a')) el.detail.close();
  });

  el.tokenToggle.addEventListener('click', () => (el.tokenForm.hidden ? openTokenForm() : closeTokenForm()));
  el.tokenForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const t = el.tokenInput.value.trim();
    if (!t) return;
    setToken(t);
    closeTokenForm();
    retryWithToken();
  });
  el.tokenForget.addEventListener('click', () => {
    setToken('');
    closeTokenForm();
    retryWithToken();
  });

  // retryWithToken reconnects with the token just set, from the cursor; a
  // paused page does so when it resumes.
  function retryWithToken() {
    hideNotice();
    state.stopped = false;
    if (state.paused) {
      closeStream();
      showPaused();
    } else {
      connect();
    }
  }

  window.addEventListener('hashchange', route);
  // What views.js builds on.
  window.trtcConsole = { VIEWS, eventHooks, state, currentToken, node, clock, shortType, keyLink, openEvent, API, parseError, CODE, openTokenForm };

  el.tokenState.hidden = !currentToken();
  el.tokenToggle.setAttribute('aria-expanded', 'false');
  updateCounts();
  // Views defined in later scripts register themselves before the first route.
  document.addEventListener('DOMContentLoaded', route);
})();

// trtc-gateway console: the call and room views. Like the event table they
// read only the public JSON API (CallService.GetCall, RoomService.GetRoom)
// with the visitor's token, and refresh when an event of theirs arrives.
'use strict';

(() => {
  const c = window.trtcConsole;
  const { node, clock, shortType } = c;
  const callView = document.getElementById('call-view');
  const roomView = document.getElementById('room-view');
  // Members of a room fetched per page.
  const MEMBER_PAGE = 100;

  let current = null; // {kind, app, id, load} of the view on screen
  let refreshTimer = 0;

  function trimPrefix(v, prefix) {
    return typeof v === 'string' && v.startsWith(prefix) ? v.slice(prefix.length) : v || '';
  }

  // fullTime is a local date and time to the second, e.g. 2025-03-06 03:19:06.
  function fullTime(iso) {
    if (!iso) return '—';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    const p = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  }

  function duration(from, to) {
    const ms = new Date(to) - new Date(from);
    if (!(ms >= 0)) return '';
    const s = Math.round(ms / 1000);
    return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
  }

  function kv(pairs) {
    const dl = node('dl', 'kv');
    for (const [k, v] of pairs) {
      if (v === undefined || v === null || v === '') continue;
      dl.appendChild(node('dt', '', k));
      const dd = node('dd');
      if (v instanceof Node) dd.appendChild(v);
      else dd.textContent = String(v);
      dl.appendChild(dd);
    }
    return dl;
  }

  function panel(title, ...children) {
    const sec = node('section', 'panel');
    if (title) sec.appendChild(node('h3', '', title));
    for (const ch of children) sec.appendChild(ch);
    return sec;
  }

  function backLink() {
    const a = node('a', 'back', '← Events');
    a.href = c.state.viewKey || '#events';
    return a;
  }

  function coverageNote(cov, kind) {
    if (!cov || cov.complete) return null;
    const what = kind === 'call'
      ? `The log does not hold this call's whole story (start ${cov.startSeen ? 'seen' : 'not seen'}, end ${cov.endSeen ? 'seen' : 'not seen'}): what is missing may have left retention or not happened yet.`
      : 'Events before this room\'s first one had already left the log: members who entered earlier may be missing.';
    return node('p', 'coverage', what);
  }

  // get fetches one API path with the visitor's token; it resolves to the
  // parsed body, or throws {code, message, http} as the event stream reports.
  async function get(path) {
    const headers = { Accept: 'application/json' };
    const t = c.currentToken();
    if (t) headers.Authorization = `Bearer ${t}`;
    const res = await fetch(new URL(path, c.API), { headers, cache: 'no-store', credentials: 'omit' });
    const text = await res.text();
    if (!res.ok) throw c.parseError(text, res.status);
    return JSON.parse(text);
  }

  function showError(view, err, notFound) {
    const p = node('p', 'notice');
    p.dataset.kind = 'warn';
    if (err.code === c.CODE.UNAUTHENTICATED) {
      p.textContent = c.currentToken() ? `The gateway refused this token: ${err.message}` : 'This gateway requires a bearer token.';
      const b = node('button', '', 'Enter a token');
      b.type = 'button';
      b.addEventListener('click', c.openTokenForm);
      p.append(' ', b);
    } else if (err.code === c.CODE.PERMISSION_DENIED) {
      p.textContent = `This token may not read that app: ${err.message}`;
    } else if (err.http === 404 && err.code) {
      p.textContent = `${notFound} (${err.message})`;
    } else {
      p.textContent = `The gateway did not answer: ${err.message}`;
    }
    view.appendChild(p);
  }

  function seqButton(seq) {
    // An event still on the page opens in the dialog; an older one is named.
    if (!c.state.events.has(String(seq))) return node('span', 'mono', `#${seq}`);
    const b = node('button', 'seq', String(seq));
    b.type = 'button';
    b.setAttribute('aria-label', `Open event ${seq}`);
    b.addEventListener('click', () => c.openEvent(String(seq)));
    return b;
  }

  function table(headers, rows) {
    const t = node('table', 'plain-table');
    const tr = node('tr');
    for (const h of headers) {
      const th = node('th', '', h);
      th.scope = 'col';
      tr.appendChild(th);
    }
    t.appendChild(node('thead')).appendChild(tr);
    const body = node('tbody');
    for (const r of rows) {
      const row = node('tr');
      for (const v of r) {
        const td = node('td');
        if (v instanceof Node) td.appendChild(v);
        else td.textContent = v ?? '';
        row.appendChild(td);
      }
      body.appendChild(row);
    }
    t.appendChild(body);
    return t;
  }

  // ---------- the call view ----------

  async function loadCall(app, id) {
    const view = callView;
    let body;
    try {
      body = await get(`./apps/${encodeURIComponent(app)}/calls/${encodeURIComponent(id)}`);
    } catch (err) {
      if (!isCurrent('call', app, id)) return;
      view.replaceChildren(backLink(), node('h2', '', `Call ${id}`));
      showError(view, err, `The log holds no event of call ${id} in app ${app}`);
      return;
    }
    if (!isCurrent('call', app, id)) return;
    const call = body.call || {};
    const state = trimPrefix(call.state, 'CALL_STATE_');
    const h = node('h2', '', `Call ${call.callId || id} `);
    const badge = node('span', 'type', state);
    badge.dataset.family = state === 'ENDED' ? 'other' : 'call';
    h.appendChild(badge);

    const roomID = call.roomId ? c.keyLink('room', app, call.roomId) : '';
    const info = kv([
      ['App', String(call.sdkAppId ?? app)],
      ['Caller', call.callerAccount],
      ['Media', trimPrefix(call.mediaType, 'MEDIA_TYPE_')],
      ['Room', roomID],
      ['Chat group', call.chatGroupId],
      ['Started', fullTime(call.startTime)],
      ['Ended', call.endTime ? `${fullTime(call.endTime)} (${duration(call.startTime, call.endTime)})` : 'not yet'],
    ]);

    const members = table(['User', 'State', 'Last action', 'Invited', 'Answered / joined', 'Rejected', 'Left'],
      (call.members || []).map((m) => [
        m.userAccount + (m.caller ? ' (caller)' : ''),
        trimPrefix(m.state, 'CALL_MEMBER_STATE_'),
        trimPrefix(m.lastAction, 'ACTION_TYPE_'),
        clock(m.inviteTime),
        clock(m.answerTime || m.joinTime),
        clock(m.rejectTime),
        clock(m.leaveTime),
      ]));

    const timeline = node('ol', 'timeline');
    for (const e of call.timeline || []) {
      const li = node('li');
      li.appendChild(node('span', 'when', clock(e.time)));
      const what = node('span');
      what.append(seqButton(e.sequence), ' ');
      const t = node('span', 'type', shortType(e.eventType));
      t.dataset.family = 'call';
      what.appendChild(t);
      li.appendChild(what);
      const action = e.userAccount ? `${e.userAccount}: ${e.actionTypeText || trimPrefix(e.actionType, 'ACTION_TYPE_')}` : '';
      li.appendChild(node('span', 'mono', action));
      timeline.appendChild(li);
    }

    const r = call.callRecord;
    const record = r
      ? kv([
        ['Result', trimPrefix(r.callResult, 'CALL_RESULT_')],
        ['Type', trimPrefix(r.callType, 'CALL_TYPE_')],
        ['Caller', r.callerAccount],
        ['Callees', (r.calleeAccounts || []).join(', ')],
        ['Start', fullTime(r.startTime)],
        ['Accepted', r.acceptTime ? fullTime(r.acceptTime) : 'never connected'],
        ['End', fullTime(r.endTime)],
        ['Media', trimPrefix(r.mediaType, 'MEDIA_TYPE_')],
        ['Room', r.roomId],
      ])
      : node('p', 'muted', 'No record yet: the end-call callback has not come.');

    const parts = [backLink(), h];
    const note = coverageNote(call.coverage, 'call');
    if (note) parts.push(note);
    parts.push(
      panel('Call', info),
      panel(`Members (${(call.members || []).length})`, members),
      panel('Timeline', timeline),
      panel('Record', record),
    );
    view.replaceChildren(...parts);
  }

  // ---------- the room view ----------

  async function loadRoom(app, id, pageToken, into) {
    const q = new URLSearchParams({ member_page_size: String(MEMBER_PAGE) });
    if (pageToken) q.set('member_page_token', pageToken);
    let body;
    try {
      body = await get(`./apps/${encodeURIComponent(app)}/rooms/${encodeURIComponent(id)}?${q}`);
    } catch (err) {
      if (!isCurrent('room', app, id)) return;
      roomView.replaceChildren(backLink(), node('h2', '', `Room ${id}`));
      showError(roomView, err, `Room ${id} of app ${app} is not live: nobody is online in it, or it expired`);
      return;
    }
    if (!isCurrent('room', app, id)) return;
    const members = body.onlineMembers || [];
    if (into) {
      // "More members": append this page to the list already shown.
      for (const m of members) into.list.appendChild(node('li', 'mono', m));
      into.setNext(body.nextMemberPageToken);
      return;
    }
    const room = body.room || {};
    const list = node('ul', 'members');
    for (const m of members) list.appendChild(node('li', 'mono', m));
    const more = node('button', '', 'More members');
    more.type = 'button';
    const setNext = (token) => {
      more.hidden = !token;
      more.onclick = token ? () => loadRoom(app, id, token, { list, setNext }) : null;
    };
    setNext(body.nextMemberPageToken);

    const parts = [backLink(), node('h2', '', `Room ${room.roomId || id}`)];
    const note = coverageNote(room.coverage, 'room');
    if (note) parts.push(note);
    const info = room.info || {};
    const admins = room.adminAccounts || [];
    const battle = room.activeBattle;
    parts.push(
      panel('Room', kv([
        ['App', String(room.sdkAppId ?? app)],
        ['Name', info.roomName],
        ['Owner', room.ownerAccount],
        ['Admins', admins.join(', ')],
        ['Online', String(room.onlineMemberCount ?? members.length)],
        ['In the TRTC room', room.trtcUserCount ? String(room.trtcUserCount) : ''],
        ['Battle', battle ? `${battle.battleId} with ${(battle.roomIds || []).join(', ')}${battle.started ? '' : ' (not started)'}` : ''],
        ['Last event', fullTime(room.lastEventTime)],
        ['Live until', `${fullTime(room.expireTime)} unless another event comes`],
      ])),
    );
    const seats = room.seats || [];
    if (seats.length) {
      const seatList = node('ol', 'seats');
      for (const seat of seats) {
        const off = [];
        if (seat.isTakenDisabled) off.push('locked');
        if (seat.isAudioDisabled) off.push('audio off');
        if (seat.isVideoDisabled) off.push('video off');
        const who = seat.memberAccount || 'empty';
        seatList.appendChild(node('li', 'mono', `#${seat.index ?? '?'} ${who}${off.length ? ` (${off.join(', ')})` : ''}`));
      }
      parts.push(panel(`Seats (${seats.length})`, seatList));
    }
    const metadata = Object.entries(room.metadata || {});
    if (metadata.length) {
      parts.push(panel('Metadata', kv(metadata.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))));
    }
    parts.push(panel(`Online members (${room.onlineMemberCount ?? members.length})`, list, more));
    roomView.replaceChildren(...parts);
  }

  // ---------- routing and refresh ----------

  function isCurrent(kind, app, id) {
    return current && current.kind === kind && current.app === app && current.id === id;
  }

  function open(kind, view, load) {
    return (params) => {
      const app = params.get('app') || '';
      const id = params.get('id') || '';
      current = { kind, app, id, load: () => load(app, id) };
      view.replaceChildren(backLink(), node('h2', '', `${kind === 'call' ? 'Call' : 'Room'} ${id}`), node('p', 'muted', 'Loading…'));
      load(app, id);
      view.querySelector('a.back')?.focus();
    };
  }

  c.VIEWS.call = open('call', callView, loadCall);
  c.VIEWS.room = open('room', roomView, loadRoom);

  // An event of the call or room on screen refreshes it, a little later so
  // that a burst of events costs one request.
  c.eventHooks.push((ev) => {
    if (!current) return;
    const kind = location.hash.startsWith('#call') ? 'call' : location.hash.startsWith('#room') ? 'room' : '';
    if (kind !== current.kind || String(ev.sdkAppId) !== current.app) return;
    if ((kind === 'call' && ev.callId === current.id) || (kind === 'room' && ev.roomId === current.id)) {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => current && current.load(), 300);
    }
  });
})();

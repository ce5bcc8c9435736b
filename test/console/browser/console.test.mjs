// Drives Debian's Chromium through the web console of a running gateway.
// test/console/console_test.go starts the gateway and runs this script; it
// prints one line per check, "ok - name" or "not ok - name: why", and exits
// non-zero when a check failed. Callbacks are posted to the gateway's real
// webhook; the page reads them back through the public JSON API.
//
// Environment: CONSOLE_URL, WEBHOOK_URL, CONSOLE_TOKEN (reads APP_A only),
// APP_A, APP_B, CHROMIUM, USER_DATA_DIR, SCREENSHOT (a PNG path).
import { chromium } from 'playwright-core';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};
const CONSOLE_URL = env('CONSOLE_URL');
const WEBHOOK_URL = env('WEBHOOK_URL');
const TOKEN = env('CONSOLE_TOKEN');
const APP_A = env('APP_A');
const APP_B = env('APP_B');
// A failure bound for every wait, not a speed check.
const WAIT_MS = 15000;

let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (err) {
    failed++;
    console.log(`not ok - ${name}: ${String(err && err.message ? err.message : err).split('\n').slice(0, 6).join(' | ')}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// ---------- callbacks, as Tencent posts them ----------

let callN = 0;
const calls = [];
function newCallID() {
  callN++;
  const id = `c0ffee00-0000-4000-8000-${String(callN).padStart(12, '0')}`;
  calls.push(id);
  return id;
}
let liveN = 0;
const USERS = ['144115212830834855', '144115212948889925', '144115212948889926'];

const bodies = {
  'Call.CallbackAfterStartCall': (id) => ({
    CallbackCommand: 'Call.CallbackAfterStartCall',
    CallInfo: { CallId: id, CallMediaType: 'Video', ChatGroupId: '', RoomId: '', RoomIdType: 1 },
    UserList: [{ User_Account: USERS[0], Status: 'Calling' }, { User_Account: USERS[1], Status: 'Waiting' }],
    EventTime: Date.now(),
  }),
  'Call.CallbackAfterMemberChanged': (id) => ({
    CallbackCommand: 'Call.CallbackAfterMemberChanged',
    CallId: id,
    UserList: [{ User_Account: USERS[0], Status: 'Calling' }, { User_Account: USERS[1], Status: 'Calling' }],
    ChangedUserList: [{ User_Account: USERS[1], ActionType: 'Answer' }],
    EventTime: Date.now(),
  }),
  'Call.CallbackAfterEndCall': (id) => {
    const now = Math.floor(Date.now() / 1000);
    return {
      CallbackCommand: 'Call.CallbackAfterEndCall',
      CallRecord: {
        CallId: id, Caller_Account: USERS[0], MediaType: 'Video', CallType: 'SingleCall',
        StartTime: now - 65, AcceptTime: now - 60, EndTime: now, CallResult: 'NormalEnd',
        CalleeList_Account: [USERS[1]], RoomId: '', RoomIdType: 1,
      },
      EventTime: Date.now(),
    };
  },
  // Each body differs (a retried callback within --dedup-window is one event).
  'Live.CallbackAfterMemberStateChanged': () => ({
    CallbackCommand: 'Live.CallbackAfterMemberStateChanged',
    RoomId: 'live-room-7', EventType: 'Online', EventCause: 'Enter',
    MemberList: liveN++ ? [{ Member_Account: `viewer_${liveN}` }] : [{ Member_Account: 'host_anna' }, { Member_Account: 'viewer_bo' }],
    EventTime: Date.now(),
  }),
  // A command the gateway has no type for: it is shown all the same.
  'Live.CallbackAfterRoomRenamed': () => ({
    CallbackCommand: 'Live.CallbackAfterRoomRenamed', RoomId: 'live-room-7', Owner_Account: 'host_anna', EventTime: Date.now(),
  }),
  'Mic.CallbackAfterSeatInfoChanged': () => ({
    CallbackCommand: 'Mic.CallbackAfterSeatInfoChanged', RoomId: 'live-room-7', EventTime: Date.now(),
    SeatList: [
      { Index: 0, Member_Account: 'host_anna', IsTakenDisabled: false, IsVideoDisabled: false, IsAudioDisabled: false },
      { Index: 1, IsTakenDisabled: true, IsVideoDisabled: false, IsAudioDisabled: false },
    ],
  }),
};

async function post(app, command, id) {
  const body = bodies[command](id);
  const q = new URLSearchParams({ SdkAppid: app, CallbackCommand: command, contenttype: 'json', ClientIP: '127.0.0.1', OptPlatform: 'Web' });
  const res = await fetch(`${WEBHOOK_URL}?${q}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await res.json();
  assert(res.status === 200 && answer.ActionStatus === 'OK', `POST ${command}: ${res.status} ${JSON.stringify(answer)}`);
}

async function postCall(app) {
  const id = newCallID();
  await post(app, 'Call.CallbackAfterStartCall', id);
  await post(app, 'Call.CallbackAfterMemberChanged', id);
  await post(app, 'Call.CallbackAfterEndCall', id);
  return id;
}

// ---------- page helpers ----------

const rowSeqs = (page) => page.$$eval('#rows tr', (trs) => trs.map((tr) => tr.dataset.seq));
const rowCount = (page) => page.$$eval('#rows tr', (trs) => trs.length);
const waitRows = (page, n) => page.waitForFunction((n) => document.querySelectorAll('#rows tr').length === n, n, { timeout: WAIT_MS });
const waitState = (page, s) => page.waitForFunction((s) => document.getElementById('status').dataset.state === s, s, { timeout: WAIT_MS });

function descendingUnique(seqs) {
  const nums = seqs.map((s) => BigInt(s));
  for (let i = 1; i < nums.length; i++) if (!(nums[i - 1] > nums[i])) return false;
  return true;
}

// ---------- the run ----------

const browser = await chromium.launchPersistentContext(env('USER_DATA_DIR'), {
  executablePath: env('CHROMIUM'),
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  viewport: { width: 1280, height: 760 },
  deviceScaleFactor: 1,
  locale: 'en-US',
  timezoneId: 'UTC',
});
const origin = new URL(CONSOLE_URL).origin;
await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
const page = browser.pages()[0] || (await browser.newPage());
page.setDefaultTimeout(WAIT_MS);

const pageProblems = [];
page.on('pageerror', (err) => pageProblems.push(`page error: ${err.message}`));
page.on('console', (msg) => {
  if (msg.type() === 'error' && /Content Security Policy|Refused to/.test(msg.text())) pageProblems.push(`CSP: ${msg.text()}`);
});
const offsite = [];
page.on('request', (req) => {
  if (!req.url().startsWith(origin)) offsite.push(req.url());
});

try {
  await check('the page asks for a token when the gateway has --api-tokens', async () => {
    const res = await page.goto(CONSOLE_URL);
    assert(res.status() === 200, `GET ${CONSOLE_URL}: ${res.status()}`);
    assert(res.headers()['content-security-policy']?.includes("frame-ancestors 'none'"), 'no CSP header');
    await waitState(page, 'error');
    const notice = await page.textContent('#notice-text');
    assert(/requires a bearer token/.test(notice), `notice: ${notice}`);
    assert(await page.isVisible('#token-form'), 'the token form is hidden');
    assert((await page.evaluate(() => document.activeElement.id)) === 'token-input', 'the token input has no focus');
  });

  await check('a wrong token gets a clear message', async () => {
    await page.fill('#token-input', 'not-the-token-at-all');
    await page.press('#token-input', 'Enter');
    await page.waitForFunction(() => /refused this token/.test(document.getElementById('notice-text').textContent), null, { timeout: WAIT_MS });
    const status = await page.textContent('#status-text');
    assert(status === 'token refused', `status: ${status}`);
  });

  await check('the right token goes live at once, before any event', async () => {
    await page.fill('#token-input', TOKEN);
    await page.click('#token-form button[type=submit]');
    await waitState(page, 'live');
    assert(await page.isHidden('#notice'), 'the error notice stays');
    const stored = await page.evaluate((k) => sessionStorage.getItem(k), 'trtc-gateway-unused');
    assert(stored === null, 'unexpected storage key');
    const where = await page.evaluate(() => ({
      session: sessionStorage.getItem('trtcgw.console.token'),
      local: localStorage.length,
      cookie: document.cookie,
      href: location.href,
    }));
    assert(where.session === TOKEN, 'the token is not in sessionStorage');
    assert(where.local === 0 && where.cookie === '', 'the token leaked into localStorage or a cookie');
    assert(!where.href.includes(TOKEN), 'the token is in the address');
  });

  let firstCall;
  await check('events appear live; a token for app A never shows app B', async () => {
    firstCall = await postCall(APP_A); // 3 events
    await postCall(APP_B); // 3 events the token may not read
    await post(APP_A, 'Live.CallbackAfterMemberStateChanged');
    await waitRows(page, 4);
    const apps = await page.$$eval('#rows tr td:nth-child(3)', (tds) => tds.map((td) => td.textContent));
    assert(apps.every((a) => a === APP_A), `apps on the page: ${apps}`);
    const types = await page.$$eval('#rows tr', (trs) => trs.map((tr) => tr.dataset.type));
    assert(types.join() === 'LIVE_MEMBER_STATE_CHANGED,CALL_ENDED,CALL_MEMBER_CHANGED,CALL_STARTED', `types, newest first: ${types}`);
    assert(descendingUnique(await rowSeqs(page)), 'rows are not newest first');
    const key = await page.textContent('#rows tr:last-child td:nth-child(6)');
    assert(key.includes(firstCall), `call cell: ${key}`);
    const users = await page.textContent('#rows tr:last-child td:nth-child(7)');
    assert(users.includes(USERS[0]), `users cell: ${users} (64-bit accounts must keep their digits)`);
  });

  await check('Enter on a row opens the full event; Copy puts its JSON on the clipboard', async () => {
    await page.focus('#rows tr:last-child button.seq');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#detail[open]');
    const json = JSON.parse(await page.textContent('#detail-json'));
    assert(json.callId === firstCall && json.type === 'EVENT_TYPE_CALL_STARTED', `dialog shows ${json.type} ${json.callId}`);
    assert(json.callStarted?.userList?.[0]?.userAccount === USERS[0], 'payload missing or digits lost');
    await page.click('#detail-copy');
    await page.waitForFunction(() => document.getElementById('detail-copy').textContent === 'Copied', null, { timeout: WAIT_MS });
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    assert(JSON.parse(clip).sequence === json.sequence, 'the clipboard does not hold the event');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.getElementById('detail').open, null, { timeout: WAIT_MS });
    const back = await page.evaluate(() => document.activeElement?.closest('tr')?.dataset.seq);
    assert(back === json.sequence, `focus did not return to the row's button (it is on ${back})`);
  });

  await check('a call id opens the call view: members, timeline and record', async () => {
    await page.click('#rows tr:last-child td:nth-child(6) a');
    await page.waitForFunction(() => !document.getElementById('call-view').hidden && document.querySelectorAll('#call-view .timeline li').length === 3, null, { timeout: WAIT_MS });
    const steps = await page.$$eval('#call-view .timeline li', (lis) => lis.map((li) => li.textContent));
    assert(/CALL_STARTED/.test(steps[0]) && /CALL_MEMBER_CHANGED/.test(steps[1]) && /CALL_ENDED/.test(steps[2]), `timeline: ${steps}`);
    assert(steps[1].includes(`${USERS[1]}: Answer`), `member change: ${steps[1]}`);
    const text = await page.textContent('#call-view');
    assert(text.includes(firstCall) && text.includes('NORMAL_END') && text.includes('SINGLE_CALL'), 'the record is not shown');
    assert(/ENDED/.test(await page.textContent('#call-view h2')), 'the call is not shown as ended');
    // A timeline step still on the page opens its event.
    await page.click('#call-view .timeline li:first-child button.seq');
    await page.waitForSelector('#detail[open]');
    assert(JSON.parse(await page.textContent('#detail-json')).type === 'EVENT_TYPE_CALL_STARTED', 'the step opened another event');
    await page.keyboard.press('Escape');
    await page.click('#call-view a.back');
    await page.waitForFunction(() => !document.getElementById('events-view').hidden, null, { timeout: WAIT_MS });
    assert((await rowCount(page)) === 4, 'going back restarted the table');
  });

  await check('a room id opens the room view with its online members', async () => {
    await page.click('#rows tr:first-child td:nth-child(6) a');
    await page.waitForFunction(() => document.querySelectorAll('#room-view .members li').length === 2, null, { timeout: WAIT_MS });
    const members = await page.$$eval('#room-view .members li', (lis) => lis.map((li) => li.textContent));
    assert(members.join() === 'host_anna,viewer_bo', `members: ${members}`);
    await page.goBack();
    await page.waitForFunction(() => !document.getElementById('events-view').hidden, null, { timeout: WAIT_MS });
  });

  await check("another app's call is refused with the reason", async () => {
    await page.evaluate((app) => { location.hash = `#call?app=${app}&id=anything`; }, APP_B);
    await page.waitForFunction(() => /may not read that app/.test(document.getElementById('call-view').textContent), null, { timeout: WAIT_MS });
    await page.goBack();
    await page.waitForFunction(() => !document.getElementById('events-view').hidden, null, { timeout: WAIT_MS });
  });

  await check('a filter narrows the table and is kept in the address (never the token)', async () => {
    await page.fill('#f-types', 'call_ended');
    await page.press('#f-types', 'Enter');
    await page.waitForFunction(() => location.hash.includes('event_types=CALL_ENDED'), null, { timeout: WAIT_MS });
    await waitState(page, 'live');
    await page.click('#from-start');
    await page.waitForFunction(() => location.hash.includes('from=start'), null, { timeout: WAIT_MS });
    await waitRows(page, 1); // app A's one call end, replayed from the log
    await postCall(APP_A); // its end is the only new row
    await waitRows(page, 2);
    const types = await page.$$eval('#rows tr', (trs) => trs.map((tr) => tr.dataset.type));
    assert(types.every((t) => t === 'CALL_ENDED'), `types: ${types}`);
    const href = await page.evaluate(() => location.href);
    assert(!href.includes(TOKEN), 'the token is in the address');
    // The shared address opens the same view in a new tab (the token is asked for again there).
    const other = await browser.newPage();
    await other.goto(href);
    await other.waitForFunction(() => document.getElementById('f-types').value === 'CALL_ENDED', null, { timeout: WAIT_MS });
    await other.close();
  });

  await check('pause and resume lose nothing and repeat nothing', async () => {
    await page.click('#filters-clear');
    await page.waitForFunction(() => location.hash === '#events', null, { timeout: WAIT_MS });
    await page.click('#from-start');
    await waitRows(page, 7); // app A so far: two calls of 3 events and one live event
    await page.click('#pause');
    await waitState(page, 'paused');
    assert((await page.getAttribute('#pause', 'aria-pressed')) === 'true', 'the pause button is not pressed');
    await postCall(APP_A);
    await postCall(APP_A);
    // The webhook answered OK, so the 6 events are in the log; the paused page shows none.
    assert((await rowCount(page)) === 7, `rows while paused: ${await rowCount(page)}`);
    await page.click('#pause');
    await waitRows(page, 13);
    await waitState(page, 'live');
    const seqs = await rowSeqs(page);
    assert(descendingUnique(seqs), `rows repeat or are out of order: ${seqs}`);
    const counts = await page.textContent('#counts');
    assert(counts.startsWith('13 received · 13 shown'), `counts: ${counts}`);
  });

  await check('an event of a type the console has never heard of shows all the same', async () => {
    await post(APP_A, 'Live.CallbackAfterRoomRenamed');
    await waitRows(page, 14);
    const first = await page.$eval('#rows tr', (tr) => ({ type: tr.dataset.type, cells: [...tr.cells].map((c) => c.textContent) }));
    assert(first.type === 'OTHER' && first.cells[4] === 'Live.CallbackAfterRoomRenamed', `newest row: ${JSON.stringify(first)}`);
  });

  await check("the room view shows the room's seats", async () => {
    await post(APP_A, 'Mic.CallbackAfterSeatInfoChanged');
    await waitRows(page, 15);
    await page.evaluate((app) => { location.hash = `#room?app=${app}&id=live-room-7`; }, APP_A);
    await page.waitForFunction(() => document.querySelectorAll('#room-view .seats li').length === 2, null, { timeout: WAIT_MS });
    const seats = await page.$$eval('#room-view .seats li', (lis) => lis.map((li) => li.textContent));
    assert(seats.join('|') === '#0 host_anna|#1 empty (locked)', `seats: ${seats}`);
    await page.goBack();
    await page.waitForFunction(() => !document.getElementById('events-view').hidden, null, { timeout: WAIT_MS });
  });

  if (process.env.SCREENSHOT) {
    await check('a screenshot of the live table', async () => {
      await page.evaluate(() => document.activeElement?.blur());
      await page.mouse.move(0, 0);
      // Let the fresh-row highlight fade so the picture shows the resting table.
      await page.waitForFunction(() => document.getAnimations().length === 0, null, { timeout: WAIT_MS });
      await page.screenshot({ path: process.env.SCREENSHOT });
    });
  }

  await check('an epoch change stops the page and offers to start over', async () => {
    // A recreated log cannot be staged on the memory store, so the gateway's
    // answer to the resume is played back here: the page must act on it.
    const fake = { error: { code: 9, message: 'the cursor\'s epoch "old" is not this log\'s epoch "new": the log was recreated', details: [] } };
    await page.route(/events:subscribe\?.*after_sequence=/, (route) =>
      route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify(fake) }));
    await page.click('#pause');
    await waitState(page, 'paused');
    await page.click('#pause'); // resume: a request with the cursor, refused
    await waitState(page, 'error');
    const notice = await page.textContent('#notice-text');
    assert(/recreated/.test(notice), `notice: ${notice}`);
    const actions = await page.$$eval('#notice-actions button', (bs) => bs.map((b) => b.textContent));
    assert(actions.join() === 'Start over: live,Start over: from the start of the log', `actions: ${actions}`);
    await page.unroute(/events:subscribe\?.*after_sequence=/);
    await page.click('#notice-actions button:first-child');
    await waitState(page, 'live');
    assert((await rowCount(page)) === 0 && (await page.isHidden('#notice')), 'starting over live kept old rows or the notice');
  });

  await check('thousands of events: the page keeps the newest 1,000 rows', async () => {
    const before = 18; // every event posted so far, both apps
    const n = 1100;
    let next = 0;
    const worker = async () => {
      while (next < n) {
        next++;
        await post(APP_A, 'Live.CallbackAfterMemberStateChanged');
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    await page.waitForFunction((head) => document.querySelector('#rows tr')?.dataset.seq === String(head), before + n, { timeout: WAIT_MS * 2 });
    assert((await rowCount(page)) === 1000, `rows: ${await rowCount(page)}`);
    const counts = await page.textContent('#counts');
    assert(counts.startsWith('1,100 received · 1,000 shown · 100 older dropped from the page'), `counts: ${counts}`);
    assert(descendingUnique(await rowSeqs(page)), 'rows repeat or are out of order');
  });

} finally {
  await browser.close();
}

if (pageProblems.length) {
  failed++;
  console.log(`not ok - the page ran without errors or CSP violations: ${pageProblems.join(' | ')}`);
} else {
  console.log('ok - the page ran without errors or CSP violations');
}
if (offsite.length) {
  failed++;
  console.log(`not ok - the page fetched only from the gateway: ${offsite.join(' ')}`);
} else {
  console.log('ok - the page fetched only from the gateway');
}
process.exit(failed ? 1 : 0);

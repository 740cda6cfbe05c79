// Nhịp hub — a live consultation in headless Chromium (Debian's, driven by playwright-core,
// fake camera and microphone): the doctor logs in, opens the case and presses "Call live";
// the live page joins the call through Janus. The station's side of the media is a second
// Chromium page running the same JavaScript Janus client (/static/nhip-janus.js, served by
// the hub) with the station's own descriptor, fetched here over the station's mutual-TLS
// link: a stand-in until the station's GStreamer client (live/) lands, which joins the same
// way. The station's chat, readings and state go over its real mutual-TLS API from here.
// Checked: RTP flows both ways (getStats() bytes grow), chat both ways, a reading appears
// in the live vitals panel, another case's participant cannot watch the call, the
// transcript on the case view after hang-up; then the same with iceTransportPolicy "relay"
// on both sides, and the selected candidate pairs are coturn's relays.
//
// usage: node live.cjs CONFIG_JSON   (run by test-live.py with NODE_PATH set)
// Prints one JSON line {"ok": bool, "what": text} per check.
//
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';

const fs = require('fs');
const https = require('https');
const { chromium } = require('playwright-core');

const cfg = JSON.parse(process.argv[2]);

function report(ok, what) {
  console.log(JSON.stringify({ ok: !!ok, what }));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// the station's request to the hub with its enrolled certificate
const tls = {
  key: fs.readFileSync(cfg.station.key),
  cert: fs.readFileSync(cfg.station.cert),
  ca: fs.readFileSync(cfg.station.ca),
};

function station(method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const req = https.request({
      host: cfg.hub.host, port: cfg.hub.port, method, path, ...tls,
      headers: data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {},
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch (e) {
          json = text;
        }
        resolve({ status: res.statusCode, body: json });
      });
    });
    req.on('error', reject);
    req.setTimeout(90000, () => req.destroy(new Error('timeout')));
    if (data)
      req.write(data);
    req.end();
  });
}

const STAND_IN = '/__station-stand-in';
const STAND_IN_PAGE = '<!DOCTYPE html><html><head><meta charset="utf-8">' +
  '<script src="/static/nhip-janus.js"></script></head><body>' +
  '<video id="remote" autoplay playsinline muted></video></body></html>';

async function standIn(browser) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  // served by the test on the hub's origin (so the hub's script and Janus's CORS apply)
  const page = await context.newPage();
  await page.route(cfg.url + STAND_IN, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: STAND_IN_PAGE }));
  await page.goto(cfg.url + STAND_IN);
  return { context, page };
}

async function stats(page, expr) {
  return page.evaluate(`(async () => ${expr})()`);
}

function grew(before, after, side, kind) {
  return after[side].inbound[kind] > before[side].inbound[kind] + 1000;
}

async function oneCall(browser, doctor, relay) {
  const tag = relay ? ' (through TURN only)' : '';
  const page = doctor.page;
  await page.goto(`${cfg.url}/cases/${cfg.case}`);
  const button = await page.$('#call-live');
  report(button && (await button.textContent()).trim().length > 0,
         'the case view has the call button' + tag);
  if (relay)
    await page.goto(`${cfg.url}/cases/${cfg.case}/live?relay=1`);
  else
    await Promise.all([page.waitForNavigation(), page.click('#call-live')]);
  report(page.url().startsWith(`${cfg.url}/cases/${cfg.case}/live`), 'the live page opens' + tag);
  await page.waitForFunction(() => window.nhipLive && window.nhipLive.descriptor, null,
                             { timeout: 30000 });
  const mine = await page.evaluate(() => window.nhipLive.descriptor);
  report(mine.started_by === 'doctor' && mine.display === 'doctor:' + cfg.user,
         'the doctor started the call: ' + mine.session_id + tag);
  const waitingText = await page.textContent('#call-state');
  report(/kết nối|chờ/.test(waitingText), 'the state is shown in Vietnamese: ' + waitingText + tag);

  // the station: its descriptor over mutual TLS, then its side of the media
  const invites = await station('GET', '/v1/live/invites?wait=10');
  report(invites.status === 200 && invites.body.invites.some((i) => i.session_id ===
                                                               mine.session_id),
         'the station is invited to the call' + tag);
  const opened = await station('POST', '/v1/live/sessions', { packet_id: cfg.packetId });
  report(opened.status === 200 && opened.body.session_id === mine.session_id,
         'the station gets the same session, 200' + tag);
  const descriptor = opened.body;
  // a browser page on https cannot call Janus's plain-HTTP URL (mixed content): the
  // stand-in uses Janus's HTTPS port; the station's own client takes janus_url as given
  descriptor.janus_url = cfg.janusWebUrl;
  const st = await standIn(browser);
  await st.page.evaluate(async ({ d, relay }) => {
    window.call = new NhipLiveCall(d, { relay });
    window.call.addEventListener('remote-stream', (e) => {
      document.getElementById('remote').srcObject = e.detail;
    });
    await window.call.start();
  }, { d: descriptor, relay });
  await station('POST', `/v1/live/sessions/${mine.session_id}/events`,
                { kind: 'state', state: 'joined' });

  try {
    await page.waitForFunction(() => window.nhipLive.state === 'connected', null,
                               { timeout: 45000 });
    report(true, 'the doctor\'s page says connected: ' +
           (await page.textContent('#call-state')) + tag);
  } catch (e) {
    report(false, 'the doctor\'s page says connected (it says ' +
           (await page.textContent('#call-state')) + ')' + tag);
  }
  const session = await station('GET', `/v1/live/sessions/${mine.session_id}`);
  report(session.body.state === 'active', 'the session is active' + tag);

  // RTP both ways, from getStats()
  const doctorBefore = await stats(page, 'window.nhipLive.call.stats()');
  const stationBefore = await stats(st.page, 'window.call.stats()');
  await sleep(5000);
  const doctorAfter = await stats(page, 'window.nhipLive.call.stats()');
  const stationAfter = await stats(st.page, 'window.call.stats()');
  report(grew(doctorBefore, doctorAfter, 'subscriber', 'video') &&
         grew(doctorBefore, doctorAfter, 'subscriber', 'audio'),
         'the doctor receives the station\'s audio and video: ' +
         JSON.stringify(doctorAfter.subscriber.inbound) + tag);
  report(grew(stationBefore, stationAfter, 'subscriber', 'video') &&
         grew(stationBefore, stationAfter, 'subscriber', 'audio'),
         'the station receives the doctor\'s audio and video: ' +
         JSON.stringify(stationAfter.subscriber.inbound) + tag);
  report(doctorAfter.subscriber.framesDecoded > doctorBefore.subscriber.framesDecoded,
         'the doctor\'s browser decodes the station\'s frames' + tag);
  report(doctorAfter.publisher.outbound.video > doctorBefore.publisher.outbound.video,
         'the doctor\'s camera is sent' + tag);
  const pairs = [doctorAfter.publisher.pair, doctorAfter.subscriber.pair,
                 stationAfter.publisher.pair, stationAfter.subscriber.pair];
  if (relay)
    report(pairs.every((p) => p && p.local === 'relay'),
           'every connection goes through the TURN relay: ' + JSON.stringify(pairs));
  else
    report(pairs.every((p) => p && p.local === 'host'),
           'the connections are direct (host candidates): ' + JSON.stringify(pairs));

  // chat both ways
  const text = cfg.chatStation + tag;
  const posted = await station('POST', `/v1/live/sessions/${mine.session_id}/events`,
                               { kind: 'chat', text });
  report(posted.status === 201, 'the station posts a chat line (' + posted.status + ')' + tag);
  try {
    await page.waitForFunction((t) => Array.from(document.querySelectorAll('#chat-log .text'))
      .some((e) => e.textContent === t), text, { timeout: 30000 });
    report(true, 'the station\'s chat line appears on the doctor\'s page' + tag);
  } catch (e) {
    report(false, 'the station\'s chat line appears on the doctor\'s page' + tag);
  }
  const reply = cfg.chatDoctor + tag;
  await page.fill('#chat-text', reply);
  await page.click('#chat-send');
  let seen = false;
  for (let after = 0, tries = 0; !seen && tries < 10; tries++) {
    const got = await station('GET',
                              `/v1/live/sessions/${mine.session_id}/events?after=${after}&wait=10`);
    for (const ev of got.body.events) {
      after = ev.seq;
      if (ev.kind === 'chat' && ev.text === reply && ev.from === 'doctor:' + cfg.user)
        seen = true;
    }
  }
  report(seen, 'the doctor\'s chat line reaches the station' + tag);

  // a reading taken during the call reaches the live vitals panel
  const value = relay ? 93 : 94;
  const vital = await station('POST', `/v1/live/sessions/${mine.session_id}/events`, {
    kind: 'vital', code: 'spo2', value, unit: '%', device: cfg.device,
    taken_at: new Date().toISOString(),
  });
  report(vital.status === 201, 'the station posts an SpO₂ reading' + tag);
  try {
    await page.waitForFunction((v) => {
      const row = document.querySelector('#vitals-body tr[data-code="spo2"]');
      return row && row.cells[1].textContent.startsWith(String(v));
    }, value, { timeout: 30000 });
    const row = await page.$$eval('#vitals-body tr[data-code="spo2"] td',
                                  (tds) => tds.map((td) => td.textContent));
    report(row[2] === cfg.device && row[0] !== 'spo2' && row[0].length > 0,
           'the reading is in the live vitals panel: ' + JSON.stringify(row) + tag);
  } catch (e) {
    report(false, 'the reading is in the live vitals panel' + tag);
  }

  // another case's participant cannot watch this call, even knowing the feed
  if (cfg.other && !relay) {
    const feed = await page.evaluate(() => window.nhipLive.call.feedId);
    const intruder = await standIn(browser);
    const outcome = await intruder.page.evaluate(async ({ d, room, feed }) => {
      const janus = new NhipJanus(d.janus_url, d.token);
      await janus.create();
      const pub = await janus.attach('janus.plugin.videoroom');
      const joined = await pub.message({ request: 'join', ptype: 'publisher', room: d.room,
                                         display: d.display, token: d.token });
      const results = {};
      const sub = await janus.attach('janus.plugin.videoroom');
      for (const [name, body] of Object.entries({
        withOwnPrivateId: { private_id: joined.data.private_id },
        withoutPrivateId: {},
      })) {
        try {
          const r = await sub.message(Object.assign({ request: 'join', ptype: 'subscriber',
                                                      room, streams: [{ feed }],
                                                      token: d.token }, body));
          results[name] = r.data.videoroom;
        } catch (e) {
          results[name] = e.code;
        }
      }
      await janus.destroy();
      return results;
    }, { d: cfg.other, room: mine.room, feed });
    report(outcome.withOwnPrivateId !== 'attached' && outcome.withoutPrivateId !== 'attached',
           'a participant of another case cannot watch this call: ' + JSON.stringify(outcome));
    await intruder.context.close();
  }

  if (cfg.screenshots)
    await page.screenshot({ path: `${cfg.screenshots}/live${relay ? '-relay' : ''}.png`,
                            fullPage: true });

  // mute and camera off are the doctor's own tracks
  await page.click('#mute');
  await page.click('#camera');
  const tracks = await page.evaluate(() => window.nhipLive.call.localStream.getTracks()
    .map((t) => t.kind + ':' + t.enabled));
  report(tracks.includes('audio:false') && tracks.includes('video:false') &&
         (await page.getAttribute('#mute', 'aria-pressed')) === 'true',
         'mute and camera off disable the doctor\'s tracks: ' + tracks.join(',') + tag);
  await page.click('#mute');
  await page.click('#camera');

  // hang up: the station's call ends, the case view shows what was said and measured
  await Promise.all([page.waitForNavigation({ timeout: 30000 }), page.click('#hangup')]);
  report(page.url().startsWith(`${cfg.url}/cases/${cfg.case}`) && !page.url().includes('/live'),
         'hanging up leads back to the case view' + tag);
  try {
    await st.page.waitForFunction(() => window.call.ended, null, { timeout: 20000 });
    report(true, 'the station\'s side of the call ends with it' + tag);
  } catch (e) {
    report(false, 'the station\'s side of the call ends with it' + tag);
  }
  const history = page.locator(`section.live-history[data-session="${mine.session_id}"]`);
  const transcript = (await history.count()) ? await history.textContent() : '';
  report(transcript.includes(text) && transcript.includes(reply),
         'the case view shows the call\'s chat transcript' + tag);
  const vitalRow = (await history.count())
    ? await history.locator('tr[data-code="spo2"]').allTextContents() : [];
  report(vitalRow.length === 1 && vitalRow[0].includes(String(value)) &&
         vitalRow[0].includes(cfg.device),
         'the case view shows the reading taken during the call: ' + JSON.stringify(vitalRow) + tag);
  const after = await station('GET', `/v1/live/sessions/${mine.session_id}`);
  report(after.body.state === 'ended' && after.body.token === null,
         'the session is ended and has no token left' + tag);
  if (cfg.screenshots)
    await page.screenshot({ path: `${cfg.screenshots}/case-after-live${relay ? '-relay' : ''}.png`,
                            fullPage: true });
  await st.context.close();
}

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
              '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

async function main() {
  const browser = await chromium.launch({ executablePath: cfg.chromium, headless: true,
                                          args: ARGS });
  // the stand-in's page comes from the test, not from an address: Chromium would count it
  // as public and keep it from the hub's private network (Local Network Access). The
  // doctor's browser runs without that exception.
  const stations = await chromium.launch({
    executablePath: cfg.chromium, headless: true,
    args: ARGS.concat(['--disable-features=LocalNetworkAccessChecks']),
  });
  // the test hub's certificate comes from its own district CA
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'vi-VN' });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(cfg.url + '/login');
  await page.fill('#user', cfg.user);
  await page.fill('#password', cfg.password);
  await Promise.all([page.waitForNavigation(), page.click('#login')]);
  report(page.url() === cfg.url + '/cases', 'the doctor logs in');
  const live = await page.request.get(`${cfg.url}/cases/${cfg.case}/live`);
  const csp = live.headers()['content-security-policy'] || '';
  report(/script-src 'self'/.test(csp) && !/unsafe-inline/.test(csp) &&
         csp.includes(new URL(cfg.janusWebUrl).origin),
         'the live page allows the hub\'s own scripts and Janus only: ' + csp);
  const script = await page.request.get(`${cfg.url}/static/nhip-janus.js`);
  report(script.status() === 200 && script.headers()['content-type'].startsWith('text/javascript'),
         'the hub serves its Janus client');

  await oneCall(stations, { context, page }, false);
  await oneCall(stations, { context, page }, true);
  const blocked = consoleErrors.filter((e) => /Content Security Policy|Refused/.test(e));
  report(blocked.length === 0, 'nothing was blocked by the page\'s policy: ' +
         JSON.stringify(blocked));
  await stations.close();
  await browser.close();
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});

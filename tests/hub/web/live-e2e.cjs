// Nhịp — the doctor's side of the end-to-end live consultation (tests/live/test-live-e2e.py):
// the real station (`nhipctl live call`, GStreamer) has already opened the case's session;
// the doctor, in headless Chromium (Debian's, driven by playwright-core, fake camera and
// microphone), opens the case, joins the station's call from the case view and checks
// what reaches the page: the station's audio and video (getStats() bytes grow, frames
// decoded), the station's chat line, the reading the station's device took during the
// call in the live vitals panel; the doctor types a chat line, and hangs up once the test
// says the station has it (the file cfg.hangupFlag appears); the case view then shows the
// transcript and the reading.
//
// usage: node live-e2e.cjs CONFIG_JSON   (run by test-live-e2e.py with NODE_PATH set)
// Prints one JSON line {"ok": bool, "what": text} per check.
//
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';

const fs = require('fs');
const { doctorLogin } = require('./doctor-login.cjs');

const cfg = JSON.parse(process.argv[2]);

function report(ok, what) {
  console.log(JSON.stringify({ ok: !!ok, what }));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(page, what, fn, arg, timeout) {
  try {
    await page.waitForFunction(fn, arg, { timeout });
    return true;
  } catch (e) {
    report(false, what + ' (' + e.message.split('\n')[0] + ')');
    return false;
  }
}

async function main() {
  const { browser, page, consoleErrors } = await doctorLogin(cfg);
  report(page.url() === cfg.url + '/cases', 'the doctor logs in');

  // the station is calling: the case view offers to join its call
  await page.goto(`${cfg.url}/cases/${cfg.case}`);
  await Promise.all([page.waitForNavigation(), page.click('#call-live')]);
  await page.waitForFunction(() => window.nhipLive && window.nhipLive.descriptor, null,
                             { timeout: 30000 });
  const mine = await page.evaluate(() => window.nhipLive.descriptor);
  report(mine.session_id === cfg.sessionId && mine.started_by === 'station' &&
         mine.display === 'doctor:' + cfg.user,
         'the doctor joins the session the station opened: ' + mine.session_id);
  if (await waitFor(page, 'the doctor\'s page says connected',
                    () => window.nhipLive.state === 'connected', null, 60000))
    report(true, 'the doctor\'s page says connected: ' + (await page.textContent('#call-state')));

  // the station's media, from the doctor's getStats()
  await page.waitForFunction(() => window.nhipLive.call.stats, null, { timeout: 10000 });
  const before = await page.evaluate(() => window.nhipLive.call.stats());
  await sleep(5000);
  const after = await page.evaluate(() => window.nhipLive.call.stats());
  const inbound = (s) => s.subscriber.inbound;
  report(inbound(after).video > inbound(before).video + 1000 &&
         inbound(after).audio > inbound(before).audio + 1000,
         'the doctor receives the station\'s audio and video (bytes grow): ' +
         JSON.stringify(inbound(before)) + ' → ' + JSON.stringify(inbound(after)));
  report(after.subscriber.framesDecoded > before.subscriber.framesDecoded,
         'the doctor\'s browser decodes the station\'s frames (' +
         after.subscriber.framesDecoded + ')');
  report(after.publisher.outbound.video > before.publisher.outbound.video &&
         after.publisher.outbound.audio > before.publisher.outbound.audio,
         'the doctor\'s camera and microphone are sent');

  // chat both ways
  if (await waitFor(page, 'the station\'s chat line appears on the doctor\'s page',
                    (t) => Array.from(document.querySelectorAll('#chat-log .text'))
                      .some((e) => e.textContent === t), cfg.chatStation, 30000))
    report(true, 'the station\'s chat line (nhipctl --chat) appears on the doctor\'s page');
  await page.fill('#chat-text', cfg.chatDoctor);
  await page.click('#chat-send');

  // the reading the station's device takes during the call
  if (await waitFor(page, 'the station\'s reading reaches the live vitals panel', (code) => {
    const row = document.querySelector(`#vitals-body tr[data-code="${code}"]`);
    return row && row.cells[1].textContent.length > 0;
  }, cfg.vitalCode, cfg.vitalWait * 1000)) {
    const row = await page.$$eval(`#vitals-body tr[data-code="${cfg.vitalCode}"] td`,
                                  (tds) => tds.map((td) => td.textContent));
    report(new RegExp(cfg.vitalPattern).test(row[1]) && row[2] === cfg.device &&
           row[0] !== cfg.vitalCode,
           'the reading is in the live vitals panel, with the device: ' + JSON.stringify(row));
  }
  if (cfg.screenshots)
    await page.screenshot({ path: `${cfg.screenshots}/live-e2e.png`, fullPage: true });

  // hang up once the station has the doctor's line (the test checks its database)
  const until = Date.now() + 60000;
  while (!fs.existsSync(cfg.hangupFlag) && Date.now() < until)
    await sleep(200);
  report(fs.existsSync(cfg.hangupFlag), 'the test lets the doctor hang up');
  await Promise.all([page.waitForNavigation({ timeout: 30000 }), page.click('#hangup')]);
  report(page.url().startsWith(`${cfg.url}/cases/${cfg.case}`) && !page.url().includes('/live'),
         'hanging up leads back to the case view');
  const history = page.locator(`section.live-history[data-session="${mine.session_id}"]`);
  const transcript = (await history.count()) ? await history.textContent() : '';
  report(transcript.includes(cfg.chatStation) && transcript.includes(cfg.chatDoctor),
         'the case view shows the call\'s chat transcript, both ways');
  const vitalRow = (await history.count())
    ? await history.locator(`tr[data-code="${cfg.vitalCode}"]`).allTextContents() : [];
  report(vitalRow.length === 1 && new RegExp(cfg.vitalPattern).test(vitalRow[0]) &&
         vitalRow[0].includes(cfg.device),
         'the case view shows the reading taken during the call: ' + JSON.stringify(vitalRow));
  if (cfg.screenshots)
    await page.screenshot({ path: `${cfg.screenshots}/case-after-live-e2e.png`, fullPage: true });
  report(consoleErrors.length === 0, 'no error in the page\'s console and no failed request: ' +
         JSON.stringify(consoleErrors));
  await browser.close();
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});

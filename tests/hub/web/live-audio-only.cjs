// Nhịp — the doctor's side of tests/live/test-live-audio-only.py: the real station
// (`nhipctl live call`) is calling; the doctor, in headless Chromium (Debian's, driven by
// playwright-core, fake camera and microphone) in a network namespace of its own, joins
// from the case view. The test squeezes the station's uplink, then the doctor's, and the
// two sides take turns through files in cfg.steps (the test marks what it did, this script
// marks what the page showed). Checked on the page: the audio-only notice instead of the
// frozen picture, in Vietnamese, with the station's sound still arriving (getStats()); the
// picture back once the station's link is free; the doctor's own link rated weak while
// squeezed, the call kept, and good again once free; hang-up.
//
// usage: node live-audio-only.cjs CONFIG_JSON   (run by the test with NODE_PATH set)
// Prints one JSON line {"ok": bool, "what": text} per check.
//
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';

const fs = require('fs');
const path = require('path');
const { doctorLogin } = require('./doctor-login.cjs');

const cfg = JSON.parse(process.argv[2]);

function report(ok, what) {
  console.log(JSON.stringify({ ok: !!ok, what }));
  return ok;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const exists = (name) => fs.existsSync(path.join(cfg.steps, name));

function mark(name) {
  fs.writeFileSync(path.join(cfg.steps, name), '');
}

// the test's mark NAME; false when it gave up (abort) or never came
async function step(name, seconds) {
  const until = Date.now() + seconds * 1000;
  while (!exists(name) && !exists('abort') && Date.now() < until)
    await sleep(250);
  return report(exists(name), 'the test went on to "' + name + '"');
}

async function waitFor(page, what, fn, arg, seconds) {
  try {
    await page.waitForFunction(fn, arg, { timeout: seconds * 1000, polling: 250 });
    return true;
  } catch (e) {
    const now = await page.evaluate(() => ({
      state: window.nhipLive.state, notice: window.nhipLive.notice, link: window.nhipLive.link,
    })).catch(() => null);
    return report(false, what + ' (' + e.message.split('\n')[0] + '; the page: ' +
                  JSON.stringify(now) + ')');
  }
}

const sample = (page) => page.evaluate(() => window.nhipLive.call.stats());

// the station's sound and picture over `ms`, from the doctor's getStats()
async function received(page, ms) {
  const before = await sample(page);
  await sleep(ms);
  const after = await sample(page);
  return {
    audio: after.subscriber.inbound.audio - before.subscriber.inbound.audio,
    video: after.subscriber.inbound.video - before.subscriber.inbound.video,
    frames: after.subscriber.framesDecoded - before.subscriber.framesDecoded,
    sent: after.publisher.outbound.audio - before.publisher.outbound.audio,
  };
}

async function shot(page, name) {
  if (cfg.screenshots)
    await page.screenshot({ path: `${cfg.screenshots}/${name}.png`, fullPage: true });
}

async function main() {
  const { browser, page, consoleErrors } = await doctorLogin(cfg);
  await page.goto(`${cfg.url}/cases/${cfg.case}`);
  await Promise.all([page.waitForNavigation(), page.click('#call-live')]);
  await page.waitForFunction(() => window.nhipLive && window.nhipLive.descriptor, null,
                             { timeout: 60000 });
  const mine = await page.evaluate(() => window.nhipLive.descriptor);
  report(mine.session_id === cfg.sessionId,
         'the doctor joins the session the station opened: ' + mine.session_id);
  report(!(await page.isVisible('#live-strings')) && !(await page.isVisible('#stage-notice')),
         'the page\'s texts for its script and the notice are not shown');

  // the call up: the station's picture and sound, the doctor's link rated good
  if (await waitFor(page, 'the page shows the station\'s picture',
                    () => window.nhipLive.state === 'connected' &&
                          window.nhipLive.call.remoteFeed, null, cfg.stepWithin)) {
    const got = await received(page, 5000);
    report(got.frames > 0 && got.audio > 1000,
           'the doctor\'s page decodes the station\'s frames and gets its sound: ' +
           JSON.stringify(got));
  }
  if (await waitFor(page, 'on a free link the page rates the doctor\'s connection good',
                    () => window.nhipLive.link === 'good', null, cfg.stepWithin))
    report(/tốt/.test(await page.textContent('#link-quality')),
           'on a free link the page rates the doctor\'s connection good: ' +
           (await page.textContent('#link-quality')));
  mark('call-up');

  // 1. the station's uplink squeezed: it says it is audio only
  if (!(await step('station-audio-only', cfg.stepWithin + 200)))
    return finish(browser, consoleErrors);
  if (await waitFor(page, 'the page shows the station\'s audio-only notice',
                    () => window.nhipLive.notice === 'notice-audio-only', null,
                    cfg.stepWithin)) {
    const before = await sample(page);
    const title = await page.textContent('#stage-notice .stage-notice-title');
    const text = await page.textContent('#stage-notice-text');
    const pill = await page.textContent('#call-state');
    report(await page.isVisible('#stage-notice') && /^Chỉ âm thanh$/.test(title) &&
           /trạm y tế/.test(text) && /yếu/.test(text) && /chỉ âm thanh/.test(pill),
           'the audio-only notice is shown, in Vietnamese: "' + title + ' — ' + text +
           '", and the call\'s state: "' + pill + '"');
    report(await page.$eval('#remote-video', (v) => getComputedStyle(v).visibility) ===
           'hidden', 'the frozen picture is hidden behind the notice');
    await shot(page, 'live-audio-only');
    // the station's sound while the notice is up (it may try video again meanwhile)
    let last = before;
    for (let i = 0; i < 10; i++) {
      await sleep(1000);
      if (await page.evaluate(() => window.nhipLive.notice) !== 'notice-audio-only')
        break;
      last = await sample(page);
    }
    const audio = last.subscriber.inbound.audio - before.subscriber.inbound.audio;
    report(audio > 1000, 'during audio only the station\'s sound keeps arriving (' + audio +
           ' bytes)');
    const playing = await page.$eval('#remote-video', (v) => ({
      paused: v.paused,
      audio: v.srcObject ? v.srcObject.getAudioTracks().map((t) => t.readyState) : [],
    }));
    report(!playing.paused && playing.audio.includes('live'),
           'and it is played: ' + JSON.stringify(playing));
    report(!(await page.evaluate(() => window.nhipLive.ended)), 'the call is not dropped');
  }
  mark('audio-only-seen');

  // 2. lifted: the station sends video again
  if (!(await step('station-video', cfg.videoBackWithin + 200)))
    return finish(browser, consoleErrors);
  if (await waitFor(page, 'the notice goes once the station\'s video is back',
                    () => window.nhipLive.notice === null &&
                          window.nhipLive.state === 'connected', null, cfg.stepWithin)) {
    const got = await received(page, 5000);
    report(got.frames > 0 && got.video > 1000 && !(await page.isVisible('#stage-notice')),
           'the notice is gone and the station\'s frames are decoded again: ' +
           JSON.stringify(got));
    report(await page.$eval('#remote-video', (v) => getComputedStyle(v).visibility) ===
           'visible', 'the station\'s picture is shown again');
  }
  mark('video-seen');

  // 3. the doctor's uplink squeezed
  if (!(await step('doctor-squeezed', cfg.stepWithin + 200)))
    return finish(browser, consoleErrors);
  if (await waitFor(page, 'the page rates the doctor\'s squeezed link weak',
                    () => ['weak', 'poor'].includes(window.nhipLive.link), null,
                    cfg.stepWithin)) {
    const text = await page.textContent('#link-quality');
    report(await page.isVisible('#link-quality') && /Đường truyền của bạn (rất )?yếu/.test(text),
           'the page shows the doctor\'s connection is weak, in Vietnamese: ' + text);
    await shot(page, 'live-doctor-weak');
    const got = await received(page, 8000);
    const link = await page.evaluate(() => {
      const p = window.nhipLive.stats.publisher;
      return { link: window.nhipLive.link, available: p.available, loss: p.remoteLoss,
               rtt: p.remoteRtt, limitation: p.limitation, height: p.frameHeight };
    });
    report(got.audio > 1000 && got.sent > 0,
           'the call goes on: the station\'s sound arrives and the doctor\'s is sent: ' +
           JSON.stringify(got) + '; the doctor\'s link: ' + JSON.stringify(link));
  }
  mark('doctor-weak-seen');
  await step('doctor-checked', cfg.stepWithin);
  const state = await page.evaluate(() => ({ state: window.nhipLive.state,
                                             ended: window.nhipLive.ended,
                                             reconnects: window.nhipLive.reconnects }));
  report(!state.ended && state.reconnects.length === 0 &&
         ['connected', 'no-video', 'video-resuming', 'audio-only'].includes(state.state),
         'with the doctor\'s link squeezed the call is kept, never joined anew: ' +
         JSON.stringify(state));
  mark('doctor-done');

  // the doctor's link free again
  if (!(await step('doctor-lifted', cfg.stepWithin)))
    return finish(browser, consoleErrors);
  if (await waitFor(page, 'the page rates the doctor\'s link good again',
                    () => window.nhipLive.link === 'good', null, cfg.stepWithin))
    report(true, 'the page rates the doctor\'s link good again: ' +
           (await page.textContent('#link-quality')));

  // 4. hang up
  await Promise.all([page.waitForNavigation({ timeout: 60000 }), page.click('#hangup')]);
  report(page.url().startsWith(`${cfg.url}/cases/${cfg.case}`) && !page.url().includes('/live'),
         'hanging up leads back to the case view');
  const history = await page.textContent(`section.live-history[data-session="${mine.session_id}"]`);
  report(/đã chuyển sang chỉ âm thanh/.test(history) && /đã có hình trở lại/.test(history),
         'the case view\'s record of the call says when it went audio only and back');
  return finish(browser, consoleErrors);
}

async function finish(browser, consoleErrors) {
  report(consoleErrors.length === 0, 'no error in the page\'s console and no failed request: ' +
         JSON.stringify(consoleErrors));
  mark('hung-up');
  await browser.close();
}

main().catch((e) => {
  console.error(e.stack || String(e));
  try {
    mark('hung-up');
  } catch (ignored) {
    // the folder is gone: the test has given up already
  }
  process.exit(1);
});

// Nhịp — a district doctor in headless Chromium, driven step by step by a Python test
// (tests/ui/test-kiosk-call.py): Debian's chromium through playwright-core, with a fake
// camera and microphone, on the hub's real pages. The test writes one JSON command a line
// on standard input and reads one JSON answer a line, prefixed "@@ ", on standard output:
//   {"op": "login", "user": U, "password": P}
//   {"op": "goto", "path": "/cases/7"}             the page at the hub's address
//   {"op": "click", "selector": S, "navigates": true|false}
//   {"op": "fill", "selector": S, "text": T}
//   {"op": "eval", "expression": E}                an expression's value (awaited)
//   {"op": "wait", "expression": E, "ms": MS}      until E is truthy in the page
//   {"op": "media"}                                the call's getStats(): bytes in and out,
//                                                  frames decoded, received audio energy
//   {"op": "screenshot", "path": F}
//   {"op": "close"}
// An answer is {"ok": true, "value": V} or {"ok": false, "error": "what went wrong"};
// console errors of the page are kept and returned by "close".
//
// usage: node doctor-page.cjs CONFIG_JSON   (NODE_PATH: playwright-core's node_modules)
//
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';

const readline = require('readline');
const { chromium } = require('playwright-core');

const cfg = JSON.parse(process.argv[2]);

function answer(reply) {
  process.stdout.write('@@ ' + JSON.stringify(reply) + '\n');
}

// what the doctor's browser receives of the station's call: the page's own stats, and
// the received audio's energy (it stays flat while the station is muted)
async function media(page) {
  return page.evaluate(async () => {
    const call = window.nhipLive && window.nhipLive.call;
    if (!call)
      return null;
    const stats = await call.stats();
    let energy = 0;
    let frameWidth = 0;
    const pc = call.subscriber && call.subscriber.pc;
    if (pc) {
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio')
          energy += s.totalAudioEnergy || 0;
        if (s.type === 'inbound-rtp' && s.kind === 'video')
          frameWidth = s.frameWidth || frameWidth;
      });
    }
    return { video: stats.subscriber.inbound.video, audio: stats.subscriber.inbound.audio,
             framesDecoded: stats.subscriber.framesDecoded, energy, frameWidth,
             sentVideo: stats.publisher.outbound.video,
             sentAudio: stats.publisher.outbound.audio };
  });
}

async function main() {
  const browser = await chromium.launch({
    executablePath: cfg.chromium, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
           '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
           '--autoplay-policy=no-user-gesture-required'],
  });
  // the test hub's certificate comes from its own district CA
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'vi-VN' });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));

  const ops = {
    login: async (c) => {
      await page.goto(cfg.url + '/login');
      await page.fill('#user', c.user);
      await page.fill('#password', c.password);
      await Promise.all([page.waitForNavigation(), page.click('#login')]);
      return page.url();
    },
    goto: async (c) => {
      await page.goto(cfg.url + c.path);
      return page.url();
    },
    click: async (c) => {
      if (c.navigates)
        await Promise.all([page.waitForNavigation({ timeout: c.ms || 30000 }),
                           page.click(c.selector)]);
      else
        await page.click(c.selector);
      return page.url();
    },
    fill: async (c) => page.fill(c.selector, c.text),
    eval: async (c) => page.evaluate(c.expression),
    // polled from here: waitForFunction() would compile the expression in the page,
    // which the hub's Content-Security-Policy (script-src 'self') rightly refuses
    wait: async (c) => {
      const end = Date.now() + (c.ms || 30000);
      for (;;) {
        const value = await page.evaluate(c.expression);
        if (value)
          return value;
        if (Date.now() > end)
          throw new Error(`timed out after ${c.ms || 30000} ms waiting for ${c.expression}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    media: async () => media(page),
    screenshot: async (c) => page.screenshot({ path: c.path, fullPage: true }),
  };

  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    let command;
    try {
      command = JSON.parse(line);
    } catch (e) {
      answer({ ok: false, error: 'not JSON: ' + line });
      continue;
    }
    if (command.op === 'close') {
      await browser.close();
      answer({ ok: true, value: { errors } });
      return;
    }
    const op = ops[command.op];
    if (!op) {
      answer({ ok: false, error: 'unknown op ' + command.op });
      continue;
    }
    try {
      const value = await op(command);
      answer({ ok: true, value: value === undefined ? null : value });
    } catch (e) {
      answer({ ok: false, error: e.message.split('\n')[0] });
    }
  }
  await browser.close();
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});

// Nhịp — a doctor logged in to the hub's pages in headless Chromium (Debian's, driven by
// playwright-core) with a fake camera and microphone, for the live-call browser tests;
// every error in the page's console and every failed request is gathered.
//
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';

const { chromium } = require('playwright-core');

// cfg: chromium, url, user, password. Returns { browser, page, consoleErrors }, the page on
// the case list once logged in
async function doctorLogin(cfg) {
  const browser = await chromium.launch({
    executablePath: cfg.chromium, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
           '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
  // the test hub's certificate comes from its own district CA
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'vi-VN' });
  const page = await context.newPage();
  const consoleErrors = [];
  // a failed request is counted from its response below (Chromium's own favicon request,
  // which the hub does not serve, shows only as a console line without the address)
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('response', (r) => { if (r.status() >= 400) consoleErrors.push(r.status() + ' ' + r.url()); });

  await page.goto(cfg.url + '/login');
  await page.fill('#user', cfg.user);
  await page.fill('#password', cfg.password);
  await Promise.all([page.waitForNavigation(), page.click('#login')]);
  return { browser, page, consoleErrors };
}

module.exports = { doctorLogin };

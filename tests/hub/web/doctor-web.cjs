// Nhịp hub — a doctor in headless Chromium (Debian's, driven by playwright-core): the
// login page in Vietnamese, a wrong password refused, login, the inbox with the urgent case
// first, the case (patient name escaped, vitals, chart, photo), a POST without the form
// token refused, the answer sent, logout, and an account locked after failed logins.
//
// usage: node doctor-web.cjs CONFIG_JSON   (run by test-doctor-web.py with NODE_PATH set)
// Prints one JSON line {"ok": bool, "what": text} per check.
//
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';

const { chromium } = require('playwright-core');

const cfg = JSON.parse(process.argv[2]);

function report(ok, what) {
  console.log(JSON.stringify({ ok: !!ok, what }));
}

async function submit(page, selector) {
  const [response] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return response;
}

async function login(page, user, password) {
  await page.goto(cfg.url + '/login');
  await page.fill('#user', user);
  await page.fill('#password', password);
  return submit(page, '#login');
}

async function main() {
  const browser = await chromium.launch({
    executablePath: cfg.chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  // the test hub's certificate comes from its own district CA
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale: 'vi-VN' });
  const page = await context.newPage();
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss();
  });

  await page.goto(cfg.url + '/cases');
  report(page.url() === cfg.url + '/login', 'not logged in: the inbox leads to the login page');
  report((await page.textContent('h1')).includes('Đăng nhập') &&
         (await page.getAttribute('html', 'lang')) === 'vi',
         'the login page speaks Vietnamese');

  let response = await login(page, cfg.user, 'not the password');
  report(response.status() === 401 && page.url() === cfg.url + '/login' &&
         (await page.textContent('.error')).includes('Sai tên đăng nhập hoặc mật khẩu'),
         'a wrong password is refused (' + response.status() + ')');

  response = await login(page, cfg.user, cfg.password);
  report(page.url() === cfg.url + '/cases' && response.status() === 200, 'logged in: the inbox');
  const session = (await context.cookies()).find((c) => c.name === 'nhip_session');
  report(session && session.httpOnly && session.secure && session.sameSite === 'Strict',
         'the session cookie is HttpOnly, Secure and SameSite=Strict');

  const rows = await page.$$eval('#open tr.case', (trs) => trs.map((tr) => ({
    id: tr.dataset.case,
    urgent: tr.classList.contains('urgent'),
    name: tr.querySelector('a.patient').textContent,
  })));
  report(rows.length === 2 && rows[0].id === String(cfg.urgentCase) && rows[0].urgent &&
         rows[1].id === String(cfg.routineCase),
         'inbox: the urgent case before the older routine one ' + JSON.stringify(rows.map((r) => r.id)));
  report(rows.length > 0 && rows[0].name === cfg.patientName,
         'inbox: the patient name with HTML in it is shown as text');
  if (cfg.screenshots)
    await page.screenshot({ path: cfg.screenshots + '/inbox.png', fullPage: true });

  await submit(page, `tr[data-case="${cfg.urgentCase}"] a.patient`);
  report(page.url() === `${cfg.url}/cases/${cfg.urgentCase}`, 'the case opens');
  report((await page.textContent('#patient-name')) === cfg.patientName,
         'case: the patient name is shown escaped');
  const bp = (await page.textContent('tr[data-loinc="85354-9"] td.value')) || '';
  report(bp.includes(cfg.bp), 'case: the latest blood pressure ' + bp.trim());
  report((await page.$$('tr[data-loinc="85354-9"] svg.chart polyline')).length === 2,
         'case: the blood pressure chart has its systolic and diastolic lines');
  report((await page.textContent('tr[data-loinc="8867-4"] td.value')).includes(cfg.pulse),
         'case: the pulse');
  const photo = await page.$eval('.photos img', (img) => ({
    complete: img.complete, width: img.naturalWidth, height: img.naturalHeight }));
  report(photo.complete && photo.width > 0, 'case: the photo is shown (' + photo.width + '×' +
         photo.height + ')');
  report((await page.textContent('blockquote.question')) === cfg.question, 'case: the question');
  report((await page.textContent('#summary')).includes(cfg.station), 'case: the station');
  report((await page.$$('img[src="x"]')).length === 0 && dialogs.length === 0,
         'no HTML from the patient name became an element, no script ran');
  if (cfg.screenshots)
    await page.screenshot({ path: cfg.screenshots + '/case.png', fullPage: true });

  // the session cookie goes along, the form token does not
  const forged = await page.request.post(`${cfg.url}/cases/${cfg.urgentCase}/answer`, {
    form: { advice: 'forged', referral: 'no', urgency: 'routine' },
  });
  report(forged.status() === 403, 'a POST without the form token is refused (' +
         forged.status() + ')');

  await page.fill('#advice', cfg.advice);
  await page.check('#referral-yes');
  await page.selectOption('#urgency', 'urgent');
  response = await submit(page, '#send-answer');
  report(response.status() === 200 && (await page.$('.notice')) !== null &&
         (await page.textContent('blockquote.advice')) === cfg.advice &&
         (await page.$$('section.answer')).length === 1,
         'the answer is sent once and shown on the case');

  await page.goto(cfg.url + '/cases');
  report((await page.$$(`#answered tr[data-case="${cfg.urgentCase}"]`)).length === 1 &&
         (await page.$$(`#open tr[data-case="${cfg.urgentCase}"]`)).length === 0,
         'inbox: the case moved to the answered ones');

  await submit(page, '#logout');
  report(page.url() === cfg.url + '/login', 'logout: back at the login page');
  await page.goto(cfg.url + '/cases');
  report(page.url() === cfg.url + '/login', 'logout: the session is over');

  for (let i = 0; i < cfg.tries; i++)
    await login(page, cfg.lockedUser, 'wrong password ' + i);
  response = await login(page, cfg.lockedUser, cfg.password);
  report(response.status() === 429 && page.url() === cfg.url + '/login' &&
         (await page.textContent('.error')).includes('quá nhiều lần'),
         'after ' + cfg.tries + ' wrong passwords even the right one is refused (' +
         response.status() + ')');

  await browser.close();
}

main().catch((error) => {
  report(false, 'the browser script failed: ' + error);
  process.exit(1);
});

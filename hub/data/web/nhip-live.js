// Nhịp hub — the doctors' live consultation page (/cases/ID/live): starts or rejoins the
// case's call at the hub, joins it through Janus (nhip-janus.js), shows the connection's
// state, the chat and the readings the station's devices send during the call, and hangs
// up. Texts come translated in the page (#live-strings); nothing here is inline in the
// page (its Content-Security-Policy allows the hub's own scripts only).
//
// For tests: ?relay=1 forces every media path through the TURN relay
// (iceTransportPolicy "relay"), and window.nhipLive holds the call and its descriptor.
//
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';

(function () {
  const root = document.getElementById('live');
  if (!root)
    return;
  const caseId = root.dataset.case;
  const csrf = root.dataset.csrf;
  const strings = {};
  for (const dt of document.querySelectorAll('#live-strings dt'))
    strings[dt.textContent] = dt.nextElementSibling.textContent;
  const $ = (id) => document.getElementById(id);
  const stateEl = $('call-state');
  const remoteVideo = $('remote-video');
  const selfVideo = $('self-video');
  const muteButton = $('mute');
  const cameraButton = $('camera');
  const hangupButton = $('hangup');
  const chatForm = $('chat-form');
  const chatText = $('chat-text');
  const chatLog = $('chat-log');
  const vitalsBody = $('vitals-body');
  const vitalsEmpty = $('vitals-empty');
  const params = new URLSearchParams(location.search);

  const live = window.nhipLive = {
    descriptor: null, call: null, seq: 0, state: 'connecting', events: [], stats: null,
    ended: false,
  };
  let remoteAudioOnly = false;
  let stalled = 0;
  let lastVideo = 0;
  let lastAudio = 0;
  let reconnecting = false;
  let monitorTimer = null;

  function show(state, detail) {
    // a check of the connection still under way when the call ended says nothing more
    if (live.ended && state !== 'ended')
      return;
    live.state = state;
    stateEl.dataset.state = state;
    stateEl.textContent = (strings[state] || state) + (detail ? ': ' + detail : '');
  }

  async function api(method, path, body) {
    const init = { method, credentials: 'same-origin', cache: 'no-store',
                   headers: { 'X-CSRF-Token': csrf } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (response.status === 204)
      return null;
    const reply = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(reply.message || String(response.status));
      error.status = response.status;
      throw error;
    }
    return reply;
  }

  function sessionPath(tail) {
    return `/live/${encodeURIComponent(live.descriptor.session_id)}${tail || ''}`;
  }

  function who(from) {
    if (live.descriptor && from === live.descriptor.display)
      return strings.me;
    if (from.startsWith('station:'))
      return strings.station + ' ' + from.slice('station:'.length);
    if (from.startsWith('doctor:'))
      return from.slice('doctor:'.length);
    return from;
  }

  function clock(iso) {
    const date = new Date(iso);
    return isNaN(date) ? '' : date.toLocaleTimeString('vi-VN', { hour: '2-digit',
                                                                 minute: '2-digit' });
  }

  function line(ev, text, klass) {
    const item = document.createElement('li');
    item.className = klass;
    item.dataset.seq = ev.seq;
    const when = document.createElement('span');
    when.className = 'when';
    when.textContent = clock(ev.at);
    const name = document.createElement('strong');
    name.className = 'who';
    name.textContent = who(ev.from);
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = text;
    item.append(when, ' ', name, ' ', body);
    chatLog.append(item);
    chatLog.scrollTop = chatLog.scrollHeight;
  }

  function showVital(ev) {
    vitalsEmpty.hidden = true;
    let row = Array.from(vitalsBody.rows).find((r) => r.dataset.code === ev.code);
    if (!row) {
      row = vitalsBody.insertRow();
      row.dataset.code = ev.code;
      for (let i = 0; i < 4; i++)
        row.insertCell();
    }
    const value = Number(ev.value).toLocaleString('vi-VN', { maximumFractionDigits: 1 });
    row.cells[0].textContent = strings['vital-' + ev.code] || ev.code;
    row.cells[1].textContent = ev.unit ? `${value} ${ev.unit}` : value;
    row.cells[1].className = 'value';
    row.cells[2].textContent = ev.device || '';
    row.cells[3].textContent = clock(ev.taken_at || ev.at);
    row.classList.remove('fresh');
    void row.offsetWidth;
    row.classList.add('fresh');
  }

  function handle(ev) {
    if (ev.seq <= live.seq)
      return;
    live.seq = ev.seq;
    live.events.push(ev);
    const mine = live.descriptor && ev.from === live.descriptor.display;
    if (ev.kind === 'chat') {
      line(ev, ev.text, mine ? 'chat mine' : 'chat');
    } else if (ev.kind === 'vital') {
      showVital(ev);
    } else if (ev.kind === 'state') {
      const key = ev.state === 'joined' || ev.state === 'left' ? ev.state : ev.state + '-event';
      line(ev, strings[key] || ev.state, 'state');
      if (!mine && ev.state === 'audio-only')
        remoteAudioOnly = true;
      else if (!mine && ev.state === 'video')
        remoteAudioOnly = false;
      else if (ev.state === 'ended')
        finish();
    }
  }

  async function pollEvents() {
    while (!live.ended) {
      try {
        const reply = await api('GET', sessionPath(`/events?after=${live.seq}&wait=25`));
        reply.events.forEach(handle);
        if (reply.state === 'ended')
          finish();
      } catch (e) {
        if (e.status === 403 || e.status === 404) {
          finish();
          return;
        }
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }

  // the state shown: ICE of both connections, and whether the station's video flows
  async function monitor() {
    const call = live.call;
    if (!call || live.ended || reconnecting)
      return;
    const stats = live.stats = await call.stats();
    const ice = [stats.publisher.state, stats.subscriber.state];
    if (ice.includes('failed')) {
      reconnect();
      return;
    }
    if (!call.remoteFeed) {
      show('waiting');
      return;
    }
    if (ice.includes('disconnected') || stats.subscriber.state === 'new' ||
        stats.subscriber.state === 'checking') {
      show(ice.includes('disconnected') ? 'reconnecting' : 'connecting');
      return;
    }
    const audio = stats.subscriber.inbound.audio;
    const video = stats.subscriber.inbound.video;
    stalled = video > lastVideo ? 0 : stalled + 1;
    if (remoteAudioOnly || (audio > lastAudio && stalled >= 2))
      show('audio-only');
    else
      show('connected');
    lastAudio = audio;
    lastVideo = video;
  }

  function bind(call) {
    call.addEventListener('local-stream', (e) => { selfVideo.srcObject = e.detail; });
    call.addEventListener('remote-stream', (e) => { remoteVideo.srcObject = e.detail; });
    call.addEventListener('remote-left', () => {
      remoteVideo.srcObject = null;
      show('waiting');
    });
    call.addEventListener('no-media', () => show('no-media'));
    call.addEventListener('lost', () => reconnect());
    call.addEventListener('ended', (e) => {
      if (e.detail === 'destroyed' || e.detail === 'revoked')
        finish();
    });
  }

  async function join(descriptor) {
    live.descriptor = descriptor;
    const call = live.call = new NhipLiveCall(descriptor, { relay: params.has('relay') });
    bind(call);
    await call.start();
    call.setMuted(muteButton.getAttribute('aria-pressed') === 'true');
    call.setCamera(cameraButton.getAttribute('aria-pressed') !== 'true');
    await api('POST', sessionPath('/events'), { kind: 'state', state: 'joined' });
  }

  // Janus forgot the session (a long cut, a restart): ask the hub again and join anew
  async function reconnect() {
    if (reconnecting || live.ended)
      return;
    reconnecting = true;
    show('reconnecting');
    if (live.call)
      live.call.finish('reconnect');
    for (let attempt = 0; !live.ended; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(2000 * (attempt + 1), 10000)));
      try {
        const descriptor = await api('GET', sessionPath());
        if (descriptor.state === 'ended') {
          finish();
          break;
        }
        await join(descriptor);
        break;
      } catch (e) {
        if (e.status === 403 || e.status === 404) {
          finish();
          break;
        }
      }
    }
    reconnecting = false;
  }

  function finish() {
    if (live.ended)
      return;
    live.ended = true;
    clearInterval(monitorTimer);
    if (live.call)
      live.call.finish('ended');
    remoteVideo.srcObject = null;
    selfVideo.srcObject = null;
    for (const control of [muteButton, cameraButton, hangupButton, chatText, $('chat-send')])
      control.disabled = true;
    show('ended');
  }

  muteButton.addEventListener('click', () => {
    const muted = muteButton.getAttribute('aria-pressed') !== 'true';
    muteButton.setAttribute('aria-pressed', String(muted));
    muteButton.textContent = muted ? strings.unmute : strings.mute;
    if (live.call)
      live.call.setMuted(muted);
  });

  cameraButton.addEventListener('click', () => {
    const off = cameraButton.getAttribute('aria-pressed') !== 'true';
    cameraButton.setAttribute('aria-pressed', String(off));
    cameraButton.textContent = off ? strings['camera-on'] : strings['camera-off'];
    if (live.call)
      live.call.setCamera(!off);
  });

  hangupButton.addEventListener('click', async () => {
    hangupButton.disabled = true;
    try {
      if (live.descriptor)
        await api('DELETE', sessionPath());
    } catch (e) {
      // the hub ends the session on its own when its time is up
    }
    if (live.call)
      await live.call.hangup();
    finish();
    location.assign(`/cases/${caseId}#live-history`);
  });

  chatForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = chatText.value.trim();
    if (!text || !live.descriptor)
      return;
    chatText.setCustomValidity('');
    try {
      await api('POST', sessionPath('/events'), { kind: 'chat', text });
      chatText.value = '';
    } catch (error) {
      chatText.setCustomValidity(strings['send-failed']);
      chatText.reportValidity();
    }
  });

  window.addEventListener('pagehide', () => {
    if (!live.ended && live.descriptor)
      fetch(sessionPath('/events'), {
        method: 'POST', keepalive: true, credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify({ kind: 'state', state: 'left' }),
      }).catch(() => {});
  });

  (async () => {
    show('connecting');
    try {
      await join(await api('POST', `/cases/${caseId}/live`));
    } catch (e) {
      show('failed', e.message);
      if (live.call)
        live.call.finish('failed');
      return;
    }
    show(live.call.remoteFeed ? 'connecting' : 'waiting');
    monitorTimer = setInterval(() => monitor().catch(() => {}), 2000);
    pollEvents();
  })();
})();

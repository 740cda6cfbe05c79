// Nhịp hub — the doctors' live consultation page (/cases/ID/live): starts or rejoins the
// case's call at the hub, joins it through Janus (nhip-janus.js), shows the connection's
// state, the chat and the readings the station's devices send during the call, and hangs
// up. A call on a weak link goes on with sound only: when the station drops its video (its
// "audio-only" event) or no picture arrives, a notice takes the place of the frozen
// picture until frames come again; the doctor's own uplink is rated from the browser's
// estimate and Janus's receiver reports (#link-quality). Texts come translated in the page (#live-strings); nothing here is inline in the
// page (its Content-Security-Policy allows the hub's own scripts only).
//
// For tests: ?relay=1 forces every media path through the TURN relay
// (iceTransportPolicy "relay"), and window.nhipLive holds the call and its descriptor, the
// notice shown (notice) and the rating of the doctor's link (link).
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
  const stage = $('stage');
  const noticeEl = $('stage-notice');
  const noticeText = $('stage-notice-text');
  const linkEl = $('link-quality');
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
    ended: false, notice: null, link: null, reconnects: [],
  };
  let remoteAudioOnly = false;   // the station said its link cannot carry video
  let videoResuming = 0;         // rounds of monitor() to wait for frames after "video"
  let stalled = 0;
  let lastFrames = 0;
  let lastAudio = 0;
  let linkBetter = 0;
  let link = null;               // what the doctor's link was like so far on this call
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

  // the video area while no picture comes: the notice (a key of the strings) instead of
  // the last frame, frozen; null takes it away
  function notice(key) {
    if (live.notice === key)
      return;
    live.notice = key;
    stage.classList.toggle('no-picture', key !== null);
    noticeEl.hidden = key === null;
    noticeText.textContent = key !== null ? strings[key] : '';
  }

  // the doctor's uplink, from the publisher's statistics: Janus's receiver reports (the
  // share lost; the round-trip time, whose growth over the best seen on this call is a
  // queue filling at a bottleneck, as on a saturated cellular uplink, where it grows before
  // anything is lost), the browser's own estimate of what it can send (bit/s), and whether
  // it had to send a smaller picture than before for want of bandwidth. null while nothing
  // is known. A single loss figure is not trusted alone (a report across a jump in
  // sequence numbers can say 99 %): the lower of the last two counts. The bitrate
  // thresholds follow the session's: video needs about half of it to be worth watching,
  // below a quarter or so even the voice suffers
  const LINK_RANK = { good: 0, weak: 1, poor: 2 };
  function linkLevel(pub) {
    const max = live.descriptor.max_bitrate || 300000;
    const rtt = pub.remoteRtt;
    const bps = pub.available;
    if (pub.remoteLoss === null && rtt === null && bps === null)
      return null;
    const loss = Math.min(pub.remoteLoss || 0, link.loss);
    link.loss = pub.remoteLoss || 0;
    if (rtt !== null)
      link.rtt = link.rtt === null ? rtt : Math.min(link.rtt, rtt);
    const queue = rtt !== null ? rtt - link.rtt : 0;
    const smaller = pub.limitation === 'bandwidth' && pub.frameHeight < link.height;
    link.height = Math.max(link.height, pub.frameHeight || 0);
    if (loss > 0.10 || queue > 0.5 || (bps !== null && bps < Math.min(80000, max * 0.4)))
      return 'poor';
    if (loss > 0.03 || queue > 0.15 || smaller ||
        (bps !== null && bps < Math.min(150000, max * 0.6)))
      return 'weak';
    return 'good';
  }

  // a worse rating shows at once, a better one after three rounds in a row (6 s): a link
  // that comes and goes is not called good at its first good moment
  function showLink(pub) {
    const level = linkLevel(pub);
    if (level === null)
      return;
    if (live.link !== null && LINK_RANK[level] < LINK_RANK[live.link] && ++linkBetter < 3)
      return;
    linkBetter = 0;
    const cameraOff = cameraButton.getAttribute('aria-pressed') === 'true';
    live.link = level;
    linkEl.dataset.quality = level;
    linkEl.textContent = strings[level === 'poor' && cameraOff ? 'link-poor-camera-off'
                                                                : 'link-' + level];
    linkEl.hidden = false;
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
      if (!mine && ev.state === 'audio-only') {
        remoteAudioOnly = true;
        videoResuming = 0;
      } else if (!mine && ev.state === 'video') {
        // the station sends video again: its first frames take a key frame to show
        remoteAudioOnly = false;
        videoResuming = 10;
      } else if (!mine && (ev.state === 'joined' || ev.state === 'left')) {
        // a station that joins again starts with video
        remoteAudioOnly = false;
        videoResuming = 0;
      } else if (ev.state === 'ended') {
        finish();
      }
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

  // the state shown: ICE of both connections, whether the station's picture comes (frames
  // decoded) and its sound (bytes), and how the doctor's own link is
  async function monitor() {
    const call = live.call;
    if (!call || live.ended || reconnecting)
      return;
    const stats = live.stats = await call.stats();
    const ice = [stats.publisher.state, stats.subscriber.state];
    if (ice.includes('failed')) {
      reconnect('ice ' + ice.join('/'));
      return;
    }
    showLink(stats.publisher);
    if (!call.remoteFeed) {
      show('waiting');
      notice(null);
      return;
    }
    if (ice.includes('disconnected') || stats.subscriber.state === 'new' ||
        stats.subscriber.state === 'checking') {
      show(ice.includes('disconnected') ? 'reconnecting' : 'connecting');
      return;
    }
    const audio = stats.subscriber.inbound.audio;
    const frames = stats.subscriber.framesDecoded;
    const hearing = audio > lastAudio;
    stalled = frames > lastFrames ? 0 : stalled + 1;
    if (stalled === 0)
      videoResuming = 0;
    lastAudio = audio;
    lastFrames = frames;
    if (remoteAudioOnly) {
      show('audio-only');
      notice('notice-audio-only');
    } else if (videoResuming > 0) {
      videoResuming--;
      show('video-resuming');
      notice('notice-video-back');
    } else if (hearing && stalled >= 2) {
      // no event said why (a station's camera that failed, a link that dropped video
      // before the station noticed): still say that only the sound comes
      show('no-video');
      notice('notice-no-video');
    } else {
      show('connected');
      notice(null);
    }
  }

  function bind(call) {
    call.addEventListener('local-stream', (e) => { selfVideo.srcObject = e.detail; });
    call.addEventListener('remote-stream', (e) => { remoteVideo.srcObject = e.detail; });
    call.addEventListener('remote-left', () => {
      remoteVideo.srcObject = null;
      show('waiting');
      notice(null);
    });
    call.addEventListener('no-media', () => show('no-media'));
    call.addEventListener('lost', (e) => reconnect('janus: ' + e.detail.message));
    call.addEventListener('ended', (e) => {
      if (e.detail === 'destroyed' || e.detail === 'revoked')
        finish();
    });
  }

  async function join(descriptor) {
    live.descriptor = descriptor;
    // a new call's counters start again from nothing
    lastFrames = 0;
    lastAudio = 0;
    stalled = 0;
    link = { rtt: null, loss: 0, height: 0 };
    const call = live.call = new NhipLiveCall(descriptor, { relay: params.has('relay') });
    bind(call);
    await call.start();
    call.setMuted(muteButton.getAttribute('aria-pressed') === 'true');
    call.setCamera(cameraButton.getAttribute('aria-pressed') !== 'true');
    await api('POST', sessionPath('/events'), { kind: 'state', state: 'joined' });
  }

  // Janus forgot the session (a long cut, a restart): ask the hub again and join anew
  async function reconnect(why) {
    if (reconnecting || live.ended)
      return;
    live.reconnects.push({ at: new Date().toISOString(), why });
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
    notice(null);
    linkEl.hidden = true;
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

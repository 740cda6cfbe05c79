// Nhịp hub — a small client of Janus's HTTP API (the REST transport) and of the VideoRoom
// plugin, for the doctors' live consultation page. Our own code (fetch + RTCPeerConnection),
// not janus.js: create a Janus session with the participant's token, attach handles,
// long-poll GET for events, keepalive every 25 s, trickle ICE both ways.
//
// A call (NhipLiveCall) follows the hub's session descriptor: join the room as a publisher
// with the token, publish the camera and microphone, and subscribe to the other
// participant's feed on a second handle (Janus offers, we answer) with the publisher's
// private_id (the hub's rooms require it, so a token for one room cannot watch another).
//
// SPDX-License-Identifier: GPL-3.0-or-later
'use strict';

class NhipJanusError extends Error {
  constructor(code, reason) {
    super(`Janus ${code}: ${reason}`);
    this.code = code;
    this.reason = reason;
  }
}

function nhipTransaction() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// one Janus session over HTTP
class NhipJanus {
  constructor(url, token) {
    this.url = url.replace(/\/+$/, '');
    this.token = token;
    this.sessionId = null;
    this.handles = new Map();   // handle id → NhipJanusHandle
    this.pending = new Map();   // transaction → { resolve, reject }
    this.closed = false;
    this.keepaliveTimer = null;
    this.pollAbort = null;
    this.onLost = null;         // called once when Janus forgets the session
  }

  async post(path, body) {
    body.transaction = body.transaction || nhipTransaction();
    body.token = this.token;
    const response = await fetch(this.url + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
    if (!response.ok)
      throw new NhipJanusError(response.status, 'HTTP ' + response.status);
    const reply = await response.json();
    if (reply.janus === 'error')
      throw new NhipJanusError(reply.error ? reply.error.code : 0,
                               reply.error ? reply.error.reason : 'error');
    return reply;
  }

  async create() {
    const reply = await this.post('', { janus: 'create' });
    this.sessionId = reply.data.id;
    this.keepalive(25000);
    this.poll();
    return this.sessionId;
  }

  // Janus forgets a session after 60 s without a request: one every 25 s, and sooner
  // again when one did not get through (a weak or cut link loses requests: that is not
  // the session lost, only Janus's answer that it does not know the session any more is)
  keepalive(ms) {
    this.keepaliveTimer = setTimeout(async () => {
      try {
        await this.post('/' + this.sessionId, { janus: 'keepalive' });
        this.keepalive(25000);
      } catch (e) {
        if (e instanceof NhipJanusError && (e.code === 458 || e.code === 403))
          this.lost(e);
        else if (!this.closed)
          this.keepalive(5000);
      }
    }, ms);
  }

  async attach(plugin) {
    const reply = await this.post('/' + this.sessionId, { janus: 'attach', plugin });
    const handle = new NhipJanusHandle(this, reply.data.id);
    this.handles.set(handle.id, handle);
    return handle;
  }

  // a plugin message: the plugin's answer, synchronous ("success") or in an event
  // carrying the same transaction (after an "ack")
  async message(handle, body, jsep) {
    const transaction = nhipTransaction();
    const answer = new Promise((resolve, reject) => {
      this.pending.set(transaction, { resolve, reject });
    });
    // close() may reject it while the request is still on its way (a hang-up racing the
    // room's destruction): handled below once awaited, not an unhandled rejection now
    answer.catch(() => {});
    const request = { janus: 'message', body, transaction };
    if (jsep)
      request.jsep = { type: jsep.type, sdp: jsep.sdp };
    let reply;
    try {
      reply = await this.post(`/${this.sessionId}/${handle.id}`, request);
    } catch (e) {
      this.pending.delete(transaction);
      throw e;
    }
    if (reply.janus === 'success') {
      this.pending.delete(transaction);
      return { data: reply.plugindata ? reply.plugindata.data : {}, jsep: reply.jsep };
    }
    const result = await answer;
    if (result.data && result.data.error_code)
      throw new NhipJanusError(result.data.error_code, result.data.error);
    return result;
  }

  trickle(handle, candidate) {
    const body = { janus: 'trickle' };
    if (candidate)
      body.candidate = { candidate: candidate.candidate, sdpMid: candidate.sdpMid,
                         sdpMLineIndex: candidate.sdpMLineIndex };
    else
      body.candidate = { completed: true };
    return this.post(`/${this.sessionId}/${handle.id}`, body).catch(() => {});
  }

  async poll() {
    while (!this.closed) {
      this.pollAbort = new AbortController();
      let events;
      try {
        const url = `${this.url}/${this.sessionId}?maxev=10&rid=${Date.now()}` +
                    `&token=${encodeURIComponent(this.token)}`;
        const response = await fetch(url, { credentials: 'omit', cache: 'no-store',
                                            signal: this.pollAbort.signal });
        // an empty 403: the token was taken back
        if (response.status === 403) {
          this.lost(new NhipJanusError(403, 'the token is no longer valid'));
          return;
        }
        if (!response.ok)
          throw new NhipJanusError(response.status, 'HTTP ' + response.status);
        events = await response.json();
      } catch (e) {
        if (this.closed)
          return;
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      for (const event of Array.isArray(events) ? events : [events])
        this.dispatch(event);
    }
  }

  dispatch(event) {
    if (!event || event.janus === 'keepalive')
      return;
    // 458: no such session (it timed out, Janus restarted); 403: the hub took the token
    // back (the session ended)
    if (event.janus === 'error' && event.error &&
        (event.error.code === 458 || event.error.code === 403)) {
      this.lost(new NhipJanusError(458, event.error.reason));
      return;
    }
    const handle = this.handles.get(event.sender);
    if (event.janus === 'event' && event.transaction && this.pending.has(event.transaction)) {
      const waiter = this.pending.get(event.transaction);
      this.pending.delete(event.transaction);
      waiter.resolve({ data: event.plugindata ? event.plugindata.data : {}, jsep: event.jsep });
      return;
    }
    if (!handle)
      return;
    if (event.janus === 'event')
      handle.onEvent(event.plugindata ? event.plugindata.data : {}, event.jsep);
    else if (event.janus === 'trickle')
      handle.remoteCandidate(event.candidate);
    else
      handle.onJanus(event);
  }

  lost(error) {
    if (this.closed)
      return;
    this.close();
    if (this.onLost)
      this.onLost(error);
  }

  close() {
    this.closed = true;
    clearTimeout(this.keepaliveTimer);
    if (this.pollAbort)
      this.pollAbort.abort();
    for (const waiter of this.pending.values())
      waiter.reject(new NhipJanusError(0, 'closed'));
    this.pending.clear();
  }

  async destroy() {
    const id = this.sessionId;
    this.close();
    if (id)
      await this.post('/' + id, { janus: 'destroy' }).catch(() => {});
  }
}

// one plugin handle, and the PeerConnection it negotiates
class NhipJanusHandle {
  constructor(janus, id) {
    this.janus = janus;
    this.id = id;
    this.pc = null;
    this.queued = [];
    this.onEvent = () => {};
    this.onJanus = () => {};
  }

  message(body, jsep) {
    return this.janus.message(this, body, jsep);
  }

  usePeerConnection(pc) {
    this.pc = pc;
    pc.addEventListener('icecandidate', (e) => this.janus.trickle(this, e.candidate));
  }

  // Janus's candidates (full trickle) wait until the remote description is set
  remoteCandidate(candidate) {
    if (!candidate || candidate.completed) {
      candidate = null;
    }
    if (!this.pc || !this.pc.remoteDescription) {
      this.queued.push(candidate);
      return;
    }
    this.pc.addIceCandidate(candidate || undefined).catch(() => {});
  }

  async setRemote(jsep) {
    await this.pc.setRemoteDescription(jsep);
    for (const candidate of this.queued.splice(0))
      await this.pc.addIceCandidate(candidate || undefined).catch(() => {});
  }
}

// a live consultation from the hub's descriptor: publish, and watch the other side
class NhipLiveCall extends EventTarget {
  constructor(descriptor, options = {}) {
    super();
    this.descriptor = descriptor;
    this.relay = !!options.relay;
    this.media = options.media || { audio: true, video: { width: 640, height: 480,
                                                          frameRate: 15 } };
    this.janus = null;
    this.publisher = null;
    this.subscriber = null;
    this.remoteFeed = null;
    this.localStream = null;
    this.remoteStream = new MediaStream();
    this.privateId = null;
    this.feedId = null;
    this.ended = false;
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  rtcConfiguration() {
    return {
      iceServers: this.descriptor.ice_servers,
      iceTransportPolicy: this.relay ? 'relay' : 'all',
      bundlePolicy: 'max-bundle',
    };
  }

  watch(pc, role) {
    pc.addEventListener('iceconnectionstatechange', () =>
      this.emit('ice', { role, state: pc.iceConnectionState }));
  }

  async start() {
    const d = this.descriptor;
    this.janus = new NhipJanus(d.janus_url, d.token);
    // the hub takes the token back when the session ends (Janus answers 403): the call is
    // over; a Janus session that timed out (458) can be joined again
    this.janus.onLost = (e) => {
      if (e.code === 403)
        this.finish('revoked');
      else
        this.emit('lost', e);
    };
    await this.janus.create();
    this.publisher = await this.janus.attach('janus.plugin.videoroom');
    this.publisher.onEvent = (data, jsep) => this.publisherEvent(data, jsep);
    const joined = await this.publisher.message({
      request: 'join', ptype: 'publisher', room: d.room, display: d.display, token: d.token,
    });
    if (joined.data.videoroom !== 'joined')
      throw new NhipJanusError(0, 'not joined');
    this.feedId = joined.data.id;
    this.privateId = joined.data.private_id;
    try {
      this.localStream = await navigator.mediaDevices.getUserMedia(this.media);
    } catch (e) {
      // without a camera or a microphone the doctor can still watch and listen
      this.localStream = new MediaStream();
      this.emit('no-media', e);
    }
    this.emit('local-stream', this.localStream);
    await this.publish();
    this.emit('joined', joined.data);
    for (const feed of joined.data.publishers || [])
      this.subscribe(feed);
  }

  async publish() {
    const pc = new RTCPeerConnection(this.rtcConfiguration());
    this.publisher.usePeerConnection(pc);
    this.watch(pc, 'publisher');
    for (const track of this.localStream.getTracks())
      pc.addTransceiver(track, { direction: 'sendonly', streams: [this.localStream] });
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const answer = await this.publisher.message({
      request: 'publish', bitrate: this.descriptor.max_bitrate,
      display: this.descriptor.display,
    }, pc.localDescription);
    if (!answer.jsep)
      throw new NhipJanusError(0, 'no answer to the offer');
    await this.publisher.setRemote(answer.jsep);
  }

  publisherEvent(data, jsep) {
    if (data.videoroom === 'destroyed') {
      this.finish('destroyed');
      return;
    }
    for (const feed of data.publishers || [])
      this.subscribe(feed);
    const gone = data.unpublished || data.leaving;
    if (gone && this.remoteFeed && gone === this.remoteFeed.id) {
      this.unsubscribe();
      this.emit('remote-left', gone);
    }
  }

  async subscribe(feed) {
    if (this.ended || feed.id === this.feedId || this.remoteFeed)
      return;
    this.remoteFeed = feed;
    try {
      this.subscriber = await this.janus.attach('janus.plugin.videoroom');
      this.subscriber.onEvent = (data) => {
        if (data.videoroom === 'destroyed')
          this.finish('destroyed');
      };
      const pc = new RTCPeerConnection(this.rtcConfiguration());
      this.subscriber.usePeerConnection(pc);
      this.watch(pc, 'subscriber');
      this.remoteStream = new MediaStream();
      pc.addEventListener('track', (e) => {
        this.remoteStream.addTrack(e.track);
        this.emit('remote-stream', this.remoteStream);
      });
      const attached = await this.subscriber.message({
        request: 'join', ptype: 'subscriber', room: this.descriptor.room,
        streams: [{ feed: feed.id }], private_id: this.privateId, token: this.descriptor.token,
      });
      if (attached.data.videoroom !== 'attached' || !attached.jsep)
        throw new NhipJanusError(0, 'not attached');
      await this.subscriber.setRemote(attached.jsep);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      await this.subscriber.message({ request: 'start' }, pc.localDescription);
      this.emit('remote-joined', feed);
    } catch (e) {
      this.emit('error', e);
      this.unsubscribe();
    }
  }

  unsubscribe() {
    if (this.subscriber && this.subscriber.pc)
      this.subscriber.pc.close();
    this.subscriber = null;
    this.remoteFeed = null;
  }

  setMuted(muted) {
    for (const track of this.localStream ? this.localStream.getAudioTracks() : [])
      track.enabled = !muted;
  }

  setCamera(on) {
    for (const track of this.localStream ? this.localStream.getVideoTracks() : [])
      track.enabled = on;
  }

  // bytes and packets per kind, and the candidate pair in use, of one PeerConnection; for
  // what we send, how the far end (Janus) says it arrives: the share lost and the
  // round-trip time from its receiver reports, the worst of audio and video (null until
  // the first report), the browser's own estimate of the uplink (bit/s), and the height
  // of the picture sent with what limits it ("bandwidth", "cpu", "none")
  static async pcStats(pc) {
    const out = { inbound: { audio: 0, video: 0 }, outbound: { audio: 0, video: 0 },
                  framesDecoded: 0, pair: null, state: pc ? pc.iceConnectionState : 'none',
                  remoteLoss: null, remoteRtt: null, available: null, limitation: null,
                  frameHeight: 0 };
    if (!pc)
      return out;
    const report = await pc.getStats();
    let pairId = null;
    const worst = (a, b) => (typeof b !== 'number' ? a : a === null ? b : Math.max(a, b));
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind in out.inbound) {
        out.inbound[s.kind] += s.bytesReceived || 0;
        out.framesDecoded += s.framesDecoded || 0;
      } else if (s.type === 'outbound-rtp' && s.kind in out.outbound) {
        out.outbound[s.kind] += s.bytesSent || 0;
        if (s.kind === 'video') {
          out.limitation = s.qualityLimitationReason || null;
          out.frameHeight = s.frameHeight || 0;
        }
      } else if (s.type === 'remote-inbound-rtp') {
        out.remoteLoss = worst(out.remoteLoss, s.fractionLost);
        out.remoteRtt = worst(out.remoteRtt, s.roundTripTime);
      } else if (s.type === 'transport' && s.selectedCandidatePairId) {
        pairId = s.selectedCandidatePairId;
      }
    });
    if (!pairId)
      report.forEach((s) => {
        if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded')
          pairId = s.id;
      });
    if (pairId && report.get(pairId)) {
      const pair = report.get(pairId);
      const local = report.get(pair.localCandidateId);
      const remote = report.get(pair.remoteCandidateId);
      out.pair = { local: local ? local.candidateType : null,
                   remote: remote ? remote.candidateType : null,
                   rtt: pair.currentRoundTripTime };
      if (typeof pair.availableOutgoingBitrate === 'number')
        out.available = pair.availableOutgoingBitrate;
    }
    return out;
  }

  async stats() {
    return {
      publisher: await NhipLiveCall.pcStats(this.publisher && this.publisher.pc),
      subscriber: await NhipLiveCall.pcStats(this.subscriber && this.subscriber.pc),
    };
  }

  finish(reason) {
    if (this.ended)
      return;
    this.ended = true;
    for (const handle of [this.publisher, this.subscriber])
      if (handle && handle.pc)
        handle.pc.close();
    if (this.localStream)
      for (const track of this.localStream.getTracks())
        track.stop();
    if (this.janus)
      this.janus.destroy();
    this.emit('ended', reason);
  }

  async hangup() {
    if (!this.ended && this.publisher)
      await this.publisher.message({ request: 'leave' }).catch(() => {});
    this.finish('hangup');
  }
}

window.NhipJanus = NhipJanus;
window.NhipLiveCall = NhipLiveCall;

// Page side of AuraLink's browser test: one participant. The drivers (two_party_call.mjs,
// local_media_check.mjs) call window.auralinkCall.* through page.evaluate; every function returns
// plain JSON data or throws an Error whose message names what failed.
//
// Frames are reduced to small luma grids (64x36): the decoded frame is drawn into a 256x144 canvas
// and box-averaged 4x4. At that size the comparison is about picture content, not about encoder
// artefacts or the browser's scaler; the drivers compare grids with frame_match.mjs.
'use strict';

(() => {
  const LK = window.LivekitClient;
  const kGridWidth = 64;
  const kGridHeight = 36;
  const kDrawScale = 4;
  // Longer than the whole grab step, even on a starved machine: the first grabbed frame's capture
  // must still be in the ring when it is taken after the last.
  const kRingMs = 20000;
  const kMaxEvents = 400;

  const state = {
    room: null,
    events: [],
    // identity -> {video: Entry, audio: Entry}; Entry = {track, receiver, element, publication}.
    peers: new Map(),
    // The published (or loopback-sent) camera and microphone.
    local: {video: null, audio: null, videoSender: null, audioSender: null},
    ring: {running: false, frames: []},
    audioContext: null,
    loopback: null,
    // Data packets received: {from, text, reliable, topic}.
    received: [],
  };

  const canvas = document.createElement('canvas');
  canvas.width = kGridWidth * kDrawScale;
  canvas.height = kGridHeight * kDrawScale;
  const context2d = canvas.getContext('2d', {willReadFrequently: true});

  function now() {
    return performance.timeOrigin + performance.now();
  }

  function note(event, detail) {
    state.events.push({t: Math.round(now()), event, detail});
    if (state.events.length > kMaxEvents) state.events.shift();
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  function withTimeout(promise, ms, what) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  function describeError(error) {
    if (!(error instanceof Error)) return String(error);
    const reason = error.reason !== undefined ? ` (reason ${error.reason})` : '';
    return `${error.name}: ${error.message}${reason}`;
  }

  // BT.601 luma of what the browser renders, averaged over kDrawScale x kDrawScale blocks.
  function lumaGrid(video) {
    context2d.imageSmoothingEnabled = true;
    context2d.imageSmoothingQuality = 'high';
    context2d.drawImage(video, 0, 0, canvas.width, canvas.height);
    const rgba = context2d.getImageData(0, 0, canvas.width, canvas.height).data;
    const sums = new Float64Array(kGridWidth * kGridHeight);
    for (let y = 0; y < canvas.height; ++y) {
      const row = Math.floor(y / kDrawScale) * kGridWidth;
      for (let x = 0; x < canvas.width; ++x) {
        const i = 4 * (y * canvas.width + x);
        sums[row + Math.floor(x / kDrawScale)] +=
            0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2];
      }
    }
    const grid = new Array(sums.length);
    let total = 0;
    let totalSquares = 0;
    for (let i = 0; i < sums.length; ++i) {
      const value = sums[i] / (kDrawScale * kDrawScale);
      grid[i] = Math.round(value * 10) / 10;
      total += value;
      totalSquares += value * value;
    }
    const mean = total / sums.length;
    const std = Math.sqrt(Math.max(0, totalSquares / sums.length - mean * mean));
    return {grid, mean, std};
  }

  // Resolves on the next frame the compositor presents from `video`.
  function nextFrame(video, timeoutMs) {
    return withTimeout(
        new Promise((resolve) => {
          video.requestVideoFrameCallback((_, metadata) => resolve(metadata));
        }),
        timeoutMs, 'waiting for a decoded video frame');
  }

  function peer(identity) {
    if (!state.peers.has(identity)) state.peers.set(identity, {video: null, audio: null});
    return state.peers.get(identity);
  }

  function remoteEntry(identity, kind) {
    const entry = state.peers.get(identity)?.[kind];
    if (!entry) throw new Error(`no subscribed ${kind} track from '${identity}'`);
    return entry;
  }

  function statsList(report) {
    const list = [];
    report.forEach((value) => list.push(value));
    return list;
  }

  function inbound(report, kind) {
    const list = statsList(report);
    const rtp = list.find((s) => s.type === 'inbound-rtp' && s.kind === kind);
    if (!rtp) return null;
    const codec = list.find((s) => s.id === rtp.codecId);
    // Built from the RTCP sender reports the server forwards for this stream.
    const remote = list.find((s) => s.type === 'remote-outbound-rtp' && s.id === rtp.remoteId) ??
        list.find((s) => s.type === 'remote-outbound-rtp' && s.kind === kind);
    return {rtp, codec: codec ? codec.mimeType : undefined, remote};
  }

  function selectedCandidatePair(report) {
    const list = statsList(report);
    const transport = list.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
    const pair = transport ? list.find((s) => s.id === transport.selectedCandidatePairId) :
                             list.find((s) => s.type === 'candidate-pair' && s.nominated);
    if (!pair) return null;
    const candidate = (id) => {
      const c = list.find((s) => s.id === id);
      return c ? `${c.protocol} ${c.address ?? c.ip}:${c.port} ${c.candidateType}` : undefined;
    };
    return {
      local: candidate(pair.localCandidateId),
      remote: candidate(pair.remoteCandidateId),
      currentRoundTripTime: pair.currentRoundTripTime,
      availableOutgoingBitrate: pair.availableOutgoingBitrate,
      availableIncomingBitrate: pair.availableIncomingBitrate,
    };
  }

  function attachElement(kind, mediaStreamTrack) {
    const element = document.createElement(kind);
    element.autoplay = true;
    element.playsInline = true;
    // Remote audio reaches WebAudio in Chromium only while a media element plays it, so the
    // element plays (into headless Chromium's null audio sink) rather than staying muted.
    element.muted = kind === 'video';
    element.srcObject = new MediaStream([mediaStreamTrack]);
    document.getElementById('remote').appendChild(element);
    element.play().catch((error) => note('play-failed', describeError(error)));
    return element;
  }

  function setLocalPreview(mediaStreamTrack) {
    const element = document.getElementById('local');
    element.srcObject = new MediaStream([mediaStreamTrack]);
    element.play().catch((error) => note('play-failed', describeError(error)));
  }

  // --- LiveKit room -------------------------------------------------------------------------

  function roomOptions(options) {
    const capture = options.capture ?? {width: 1280, height: 720, frameRate: 20};
    const room = {
      adaptiveStream: options.adaptiveStream ?? false,
      dynacast: options.dynacast ?? true,
      disconnectOnPageLeave: false,
      videoCaptureDefaults: {resolution: capture},
      publishDefaults: {
        simulcast: options.simulcast ?? true,
        videoCodec: options.videoCodec ?? 'vp8',
        // With the 720p capture these are the three layers q (180p), h (360p) and f (720p).
        videoSimulcastLayers: [LK.VideoPresets.h180, LK.VideoPresets.h360],
      },
    };
    // livekit-client 2.23 signals on /rtc/v1 (one peer connection) and falls back to /rtc (two)
    // when a server answers /rtc/v1/validate with 404; false goes to /rtc directly.
    if (options.singlePeerConnection !== undefined) {
      room.singlePeerConnection = options.singlePeerConnection;
    }
    return room;
  }

  function watchRoom(room) {
    const E = LK.RoomEvent;
    room.on(E.SignalConnected, () => note('signal-connected'));
    room.on(E.Connected, () => note('connected'));
    // A resume (signalling only, same session) is SignalReconnecting -> Reconnected; a full
    // reconnect (new session, new participant sid) is Reconnecting -> Reconnected.
    room.on(E.SignalReconnecting, () => note('signal-reconnecting'));
    room.on(E.Reconnecting, () => note('reconnecting'));
    room.on(E.Reconnected, () => note('reconnected'));
    room.on(E.Disconnected, (reason) => note('disconnected', reason));
    room.on(E.ConnectionStateChanged, (s) => note('connection-state', s));
    room.on(E.ParticipantConnected, (p) => note('participant-connected', p.identity));
    room.on(E.DataReceived, (payload, participant, kind, topic) => {
      state.received.push({from: participant?.identity ?? null,
                           text: new TextDecoder().decode(payload),
                           reliable: kind === LK.DataPacket_Kind.RELIABLE, topic: topic ?? null});
    });
    room.on(E.ParticipantDisconnected, (p) => note('participant-disconnected', p.identity));
    room.on(E.TrackPublished, (pub, p) => note('track-published', `${p.identity} ${pub.kind}`));
    room.on(E.TrackSubscriptionFailed, (sid, p, error) =>
      note('track-subscription-failed', `${p.identity} ${sid} ${describeError(error)}`));
    room.on(E.MediaDevicesError, (error) => note('media-devices-error', describeError(error)));
    room.on(E.TrackStreamStateChanged, (pub, streamState, p) =>
      note('track-stream-state', `${p.identity} ${pub.kind} ${streamState}`));
    room.on(E.TrackSubscribed, (track, publication, participant) => {
      note('track-subscribed', `${participant.identity} ${track.kind}`);
      const kind = track.kind;
      if (kind !== 'video' && kind !== 'audio') return;
      const entry = peer(participant.identity);
      if (entry[kind]) entry[kind].element.remove();
      entry[kind] = {
        track: track.mediaStreamTrack,
        receiver: track.receiver,
        element: attachElement(kind, track.mediaStreamTrack),
        publication,
      };
    });
    room.on(E.TrackUnsubscribed, (track, publication, participant) => {
      note('track-unsubscribed', `${participant.identity} ${track.kind}`);
      const entry = state.peers.get(participant.identity);
      if (entry?.[track.kind]) {
        entry[track.kind].element.remove();
        entry[track.kind] = null;
      }
    });
  }

  async function join(url, token, options = {}) {
    if (state.room) throw new Error('already joined');
    const started = now();
    const room = new LK.Room(roomOptions(options));
    watchRoom(room);
    state.options = options;
    const timeoutMs = options.timeoutMs ?? 20000;
    try {
      await withTimeout(
          room.connect(url, token, {
            autoSubscribe: true,
            maxRetries: 0,
            websocketTimeout: timeoutMs,
            peerConnectionTimeout: timeoutMs,
          }),
          timeoutMs + 2000, `joining ${url}`);
    } catch (error) {
      room.disconnect().catch(() => {});
      throw new Error(`join failed: ${describeError(error)}`);
    }
    state.room = room;
    return {
      ms: Math.round(now() - started),
      identity: room.localParticipant.identity,
      participantSid: room.localParticipant.sid,
      room: room.name,
      serverInfo: room.serverInfo ?? null,
      remoteParticipants: [...room.remoteParticipants.values()].map((p) => p.identity),
    };
  }

  async function publish(options = {}) {
    const room = state.room;
    if (!room) throw new Error('publish before join');
    const started = now();
    const roomDefaults = roomOptions(state.options ?? {});
    let camera;
    let microphone;
    const timeoutMs = options.timeoutMs ?? 20000;
    try {
      camera = await withTimeout(
          room.localParticipant.setCameraEnabled(
              true, roomDefaults.videoCaptureDefaults,
              {...roomDefaults.publishDefaults, ...(options.publish ?? {})}),
          timeoutMs, 'publishing the camera');
      microphone = await withTimeout(room.localParticipant.setMicrophoneEnabled(true), timeoutMs,
                                     'publishing the microphone');
    } catch (error) {
      throw new Error(`publish failed: ${describeError(error)}`);
    }
    if (!camera?.track || !microphone?.track) throw new Error('publish returned no track');
    state.local = {
      video: camera.track.mediaStreamTrack,
      audio: microphone.track.mediaStreamTrack,
      videoSender: camera.track.sender,
      audioSender: microphone.track.sender,
    };
    setLocalPreview(state.local.video);
    const parameters = camera.track.sender?.getParameters();
    return {
      ms: Math.round(now() - started),
      video: {
        sid: camera.trackSid,
        settings: state.local.video.getSettings(),
        simulcasted: camera.simulcasted ?? null,
        encodings: (parameters?.encodings ?? []).map((e) => ({
          rid: e.rid,
          active: e.active,
          maxBitrate: e.maxBitrate,
          scaleResolutionDownBy: e.scaleResolutionDownBy,
        })),
      },
      audio: {sid: microphone.trackSid, settings: state.local.audio.getSettings()},
    };
  }

  function subscribedTracks() {
    const room = state.room;
    if (!room) return [];
    return [...room.remoteParticipants.values()].map((p) => ({
      identity: p.identity,
      sid: p.sid,
      tracks: [...p.trackPublications.values()].map((pub) => ({
        sid: pub.trackSid,
        kind: pub.kind,
        source: pub.source,
        subscribed: pub.isSubscribed,
        muted: pub.isMuted,
        simulcasted: pub.simulcasted ?? null,
        dimensions: pub.dimensions ?? null,
        mimeType: pub.mimeType ?? null,
        // The page holds a playing element for this track.
        attached: !!state.peers.get(p.identity)?.[pub.kind],
      })),
    }));
  }

  function setVideoQuality(identity, quality) {
    const entry = remoteEntry(identity, 'video');
    const value = {low: LK.VideoQuality.LOW, medium: LK.VideoQuality.MEDIUM,
                   high: LK.VideoQuality.HIGH}[quality];
    if (value === undefined) throw new Error(`unknown video quality '${quality}'`);
    if (!entry.publication) throw new Error(`'${identity}' is not a LiveKit participant`);
    entry.publication.setVideoQuality(value);
    return true;
  }

  async function leave() {
    stopLocalRing();
    if (state.room) {
      const room = state.room;
      state.room = null;
      await withTimeout(room.disconnect(), 5000, 'leaving the room');
    }
    return true;
  }

  // --- In-page loopback: the same measurements without any server ---------------------------

  async function startLoopback(options = {}) {
    if (state.loopback) throw new Error('loopback already running');
    const started = now();
    const capture = options.capture ?? {width: 1280, height: 720, frameRate: 20};
    const stream = await navigator.mediaDevices.getUserMedia({
      video: {width: {ideal: capture.width}, height: {ideal: capture.height},
              frameRate: {ideal: capture.frameRate}},
      audio: true,
    });
    const sender = new RTCPeerConnection();
    const receiver = new RTCPeerConnection();
    state.loopback = {sender, receiver, stream};
    sender.onicecandidate = (e) => e.candidate && receiver.addIceCandidate(e.candidate);
    receiver.onicecandidate = (e) => e.candidate && sender.addIceCandidate(e.candidate);
    const received = {};
    const allTracks = new Promise((resolve) => {
      receiver.ontrack = (e) => {
        received[e.track.kind] = {track: e.track, receiver: e.receiver};
        if (received.video && received.audio) resolve();
      };
    });
    const senders = {};
    for (const track of stream.getTracks()) senders[track.kind] = sender.addTrack(track, stream);
    await sender.setLocalDescription(await sender.createOffer());
    await receiver.setRemoteDescription(sender.localDescription);
    await receiver.setLocalDescription(await receiver.createAnswer());
    await sender.setRemoteDescription(receiver.localDescription);
    await withTimeout(allTracks, options.timeoutMs ?? 10000, 'loopback tracks');
    const entry = peer('loopback');
    for (const kind of ['video', 'audio']) {
      entry[kind] = {
        track: received[kind].track,
        receiver: received[kind].receiver,
        element: attachElement(kind, received[kind].track),
        publication: null,
      };
    }
    state.local = {
      video: stream.getVideoTracks()[0],
      audio: stream.getAudioTracks()[0],
      videoSender: senders.video,
      audioSender: senders.audio,
    };
    setLocalPreview(state.local.video);
    return {
      ms: Math.round(now() - started),
      video: {settings: state.local.video.getSettings()},
      audio: {settings: state.local.audio.getSettings()},
    };
  }

  // --- Measurements -------------------------------------------------------------------------

  // Keeps the luma grid of every local camera frame of the last kRingMs, stamped with the
  // wall-clock time it was presented, so a subscriber's frame can be matched against what the
  // publisher captured around the same time.
  function startLocalRing() {
    const video = document.getElementById('local');
    if (!video.srcObject) throw new Error('no local camera to record');
    if (state.ring.running) return true;
    state.ring.running = true;
    state.ring.frames = [];
    const onFrame = () => {
      if (!state.ring.running) return;
      const t = now();
      state.ring.frames.push({t, ...lumaGrid(video)});
      while (state.ring.frames.length && state.ring.frames[0].t < t - kRingMs) {
        state.ring.frames.shift();
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    return true;
  }

  function takeLocalRing() {
    return state.ring.frames.map((f) => ({t: Math.round(f.t), mean: f.mean, std: f.std,
                                          grid: f.grid}));
  }

  function stopLocalRing() {
    state.ring.running = false;
    return true;
  }

  async function grabFrames(identity, options = {}) {
    const count = options.count ?? 8;
    const intervalMs = options.intervalMs ?? 250;
    const timeoutMs = options.timeoutMs ?? 5000;
    const video = remoteEntry(identity, 'video').element;
    const frames = [];
    for (let i = 0; i < count; ++i) {
      const metadata = await nextFrame(video, timeoutMs);
      frames.push({
        t: Math.round(now()),
        width: video.videoWidth,
        height: video.videoHeight,
        presentedFrames: metadata.presentedFrames,
        ...lumaGrid(video),
      });
      if (i + 1 < count) await sleep(intervalMs);
    }
    const quality = video.getVideoPlaybackQuality();
    return {
      frames,
      totalVideoFrames: quality.totalVideoFrames,
      droppedVideoFrames: quality.droppedVideoFrames,
    };
  }

  function audioStatsSnapshot(report) {
    const found = inbound(report, 'audio');
    if (!found) return null;
    const s = found.rtp;
    return {
      totalAudioEnergy: s.totalAudioEnergy,
      totalSamplesDuration: s.totalSamplesDuration,
      totalSamplesReceived: s.totalSamplesReceived,
      concealedSamples: s.concealedSamples,
      packetsReceived: s.packetsReceived,
      packetsLost: s.packetsLost,
      bytesReceived: s.bytesReceived,
      codec: found.codec,
    };
  }

  function dbfs(power) {
    return power > 0 ? 10 * Math.log10(power) : -200;
  }

  // RMS level of `track` in 50 ms steps through an AnalyserNode (WebAudio), plus the level that
  // the receiver's own statistics report for the same interval when there is a receiver.
  async function measureAudioEnergy(track, rtpReceiver, options) {
    const durationMs = options.durationMs ?? 2000;
    const floorDbfs = options.floorDbfs ?? -50;
    if (!state.audioContext) state.audioContext = new AudioContext();
    const audio = state.audioContext;
    await withTimeout(audio.resume(), 3000, 'resuming the AudioContext');
    const source = audio.createMediaStreamSource(new MediaStream([track]));
    const analyser = audio.createAnalyser();
    analyser.fftSize = 2048;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const before = rtpReceiver ? audioStatsSnapshot(await rtpReceiver.getStats()) : null;
    const levels = [];
    const started = now();
    while (now() - started < durationMs) {
      await sleep(50);
      analyser.getFloatTimeDomainData(samples);
      let power = 0;
      for (const v of samples) power += v * v;
      levels.push(dbfs(power / samples.length));
    }
    const after = rtpReceiver ? audioStatsSnapshot(await rtpReceiver.getStats()) : null;
    source.disconnect();
    const sorted = [...levels].sort((a, b) => a - b);
    const result = {
      durationMs: Math.round(now() - started),
      windows: levels.length,
      maxDbfs: sorted[sorted.length - 1],
      medianDbfs: sorted[Math.floor(sorted.length / 2)],
      fractionAboveFloor: levels.filter((l) => l > floorDbfs).length / Math.max(1, levels.length),
      audioContextState: audio.state,
    };
    if (before && after) {
      const seconds = after.totalSamplesDuration - before.totalSamplesDuration;
      result.receiver = {
        codec: after.codec,
        // totalAudioEnergy integrates audioLevel^2 over time (W3C webrtc-stats), so its slope is
        // the mean power over the interval.
        meanLevelDbov: seconds > 0 ?
            dbfs((after.totalAudioEnergy - before.totalAudioEnergy) / seconds) : null,
        samplesReceived: after.totalSamplesReceived - before.totalSamplesReceived,
        concealedSamples: after.concealedSamples - before.concealedSamples,
        packetsReceived: after.packetsReceived - before.packetsReceived,
      };
    }
    return result;
  }

  function audioEnergy(identity, options = {}) {
    const entry = remoteEntry(identity, 'audio');
    return measureAudioEnergy(entry.track, entry.receiver, options);
  }

  function localAudioEnergy(options = {}) {
    if (!state.local.audio) throw new Error('no local microphone');
    return measureAudioEnergy(state.local.audio, null, options);
  }

  async function videoStats(identity) {
    const entry = remoteEntry(identity, 'video');
    const report = await entry.receiver.getStats();
    const found = inbound(report, 'video');
    const s = found?.rtp ?? {};
    return {
      t: Math.round(now()),
      statsTimestamp: s.timestamp,
      elementWidth: entry.element.videoWidth,
      elementHeight: entry.element.videoHeight,
      frameWidth: s.frameWidth,
      frameHeight: s.frameHeight,
      framesPerSecond: s.framesPerSecond,
      framesDecoded: s.framesDecoded,
      framesDropped: s.framesDropped,
      keyFramesDecoded: s.keyFramesDecoded,
      bytesReceived: s.bytesReceived,
      packetsReceived: s.packetsReceived,
      packetsLost: s.packetsLost,
      nackCount: s.nackCount,
      pliCount: s.pliCount,
      firCount: s.firCount,
      framesReceived: s.framesReceived,
      retransmittedPacketsReceived: s.retransmittedPacketsReceived,
      ssrc: s.ssrc,
      decoderImplementation: s.decoderImplementation,
      codec: found?.codec,
      requestedQuality: entry.publication?.videoQuality ?? null,
      streamState: entry.publication?.track?.streamState ?? null,
      candidatePair: selectedCandidatePair(report),
      senderReports: found?.remote ? {
        reportsSent: found.remote.reportsSent,
        packetsSent: found.remote.packetsSent,
        bytesSent: found.remote.bytesSent,
        remoteTimestamp: found.remote.remoteTimestamp,
      } : null,
    };
  }

  async function publisherStats() {
    const sender = state.local.videoSender;
    if (!sender) throw new Error('nothing published');
    const report = await sender.getStats();
    const layers = statsList(report)
        .filter((s) => s.type === 'outbound-rtp' && s.kind === 'video')
        .map((s) => ({
          rid: s.rid ?? null,
          active: s.active,
          frameWidth: s.frameWidth,
          frameHeight: s.frameHeight,
          framesPerSecond: s.framesPerSecond,
          framesEncoded: s.framesEncoded,
          bytesSent: s.bytesSent,
          targetBitrate: s.targetBitrate,
          qualityLimitationReason: s.qualityLimitationReason,
          encoderImplementation: s.encoderImplementation,
          scalabilityMode: s.scalabilityMode,
          statsTimestamp: s.timestamp,
        }))
        .sort((a, b) => (a.frameHeight ?? 0) - (b.frameHeight ?? 0));
    // Built from the RTCP receiver reports the server sends about each layer it receives.
    const receiverReports = statsList(report)
        .filter((s) => s.type === 'remote-inbound-rtp' && s.kind === 'video')
        .map((s) => ({
          ssrc: s.ssrc,
          packetsLost: s.packetsLost,
          fractionLost: s.fractionLost,
          jitter: s.jitter,
          roundTripTime: s.roundTripTime,
          roundTripTimeMeasurements: s.roundTripTimeMeasurements,
        }));
    return {t: Math.round(now()), layers, receiverReports,
            candidatePair: selectedCandidatePair(report)};
  }

  // A user data packet to everyone else in the room, over the reliable or the lossy channel.
  async function sendData(text, options = {}) {
    if (!state.room) throw new Error('not joined');
    await state.room.localParticipant.publishData(new TextEncoder().encode(text),
                                                  {reliable: options.reliable ?? true,
                                                   topic: options.topic});
    return {sent: text};
  }

  function receivedData() {
    return state.received.slice();
  }

  function events() {
    return state.events;
  }

  // livekit-client's own failure drills (Room.simulateScenario, e.g. 'signal-reconnect': the
  // signalling WebSocket drops and the client resumes the session). Resolves once the drill has
  // started; the room's events tell how it ended.
  async function simulateScenario(scenario, arg) {
    if (!state.room) throw new Error('simulateScenario before join');
    await state.room.simulateScenario(scenario, arg);
    return localParticipant();
  }

  function localParticipant() {
    const room = state.room;
    if (!room) throw new Error('not in a room');
    return {sid: room.localParticipant.sid, identity: room.localParticipant.identity,
            connectionState: room.state};
  }

  window.auralinkCall = {
    livekitVersion: LK.version,
    join,
    publish,
    subscribedTracks,
    setVideoQuality,
    leave,
    startLoopback,
    startLocalRing,
    takeLocalRing,
    stopLocalRing,
    grabFrames,
    audioEnergy,
    localAudioEnergy,
    videoStats,
    publisherStats,
    sendData,
    receivedData,
    events,
    simulateScenario,
    localParticipant,
  };
})();

#!/usr/bin/env node
// Two real browsers in one call through a LiveKit-compatible media server (AuraLink in dev mode,
// or any server that accepts LiveKit tokens). Each participant is its own headless Chromium
// running livekit-client 2.23 from tests/livekit; each joins room `browser-test`, publishes
// camera (VP8 simulcast, three layers from a 720p capture) and microphone, and checks what it
// receives from the other:
//   - video: frames decoded, not black, changing, and matching the publisher's capture (and,
//     with the shared clips, the publisher's clip rather than its own) within media_checks.mjs's
//     tolerance;
//   - audio: energy above a floor, measured with WebAudio;
//   - bandwidth: with bob's downlink limited through the server's dev hook
//     (POST /debug/limit-subscriber-bandwidth, see README.md), bob's decoded resolution of
//     alice's video drops to a lower simulcast layer, and returns once the limit is lifted;
//   - RTCP: each publisher gets receiver reports for its three layers (a round-trip time
//     measured from them), and each receives sender reports for the video it receives (forwarded
//     by the server, rewritten for the subscriber's stream);
//   - resume: alice's signalling WebSocket drops (livekit-client's 'signal-reconnect' drill) and
//     her client resumes the session (reconnect=1, ICE restart on both connections) rather than
//     joining afresh: same participant sid, bob never sees her leave, video flows both ways after.
// Prints one JSON summary (checks, step timings, measurements) and a closing count line.
//
//   node tests/browser/two_party_call.mjs
//
// Environment: AURALINK_SERVER_URL (default ws://127.0.0.1:7880), AURALINK_API_KEY / _SECRET
// (devkey / secret), AURALINK_BROWSER_ROOM (browser-test), AURALINK_BROWSER_MEDIA (auto | clips |
// fake), AURALINK_BROWSER_LIMIT_KBPS (300), AURALINK_BROWSER_TIMEOUT_S (120),
// AURALINK_BROWSER_SINGLE_PC (unset or 1: livekit-client's default, /rtc/v1 with one peer
// connection, falling back to /rtc; 0: straight to /rtc with two; "1,0": alice one way, bob the
// other), AURALINK_SHARED,
// AURALINK_CHROMIUM.
// Exit status: 0 every check passed; 1 a check failed (or no server answered); 2 nothing failed
// but a part was skipped (the server has no bandwidth hook); 77 Chromium, node packages or
// required clips are missing.

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import {mintParticipantToken, mintRoomAdminToken} from './access_tokens.mjs';
import {chooseCaptureMedia, prepareParticipantClips} from './clip_media.mjs';
import {launchParticipantBrowser, missingPrerequisites} from './headless_chromium.mjs';
import {checkReceivedAudio, checkReceivedVideo, kAudioFloorDbfs} from './media_checks.mjs';
import {startPageServer} from './page_server.mjs';
import {kExitCannotRun, kExitFailed, TestReport} from './test_report.mjs';

const kServerUrl = process.env.AURALINK_SERVER_URL || 'ws://127.0.0.1:7880';
const kRoom = process.env.AURALINK_BROWSER_ROOM || 'browser-test';
const kLimitKbps = Number(process.env.AURALINK_BROWSER_LIMIT_KBPS || 300);
const kTimeoutS = Number(process.env.AURALINK_BROWSER_TIMEOUT_S || 120);
const kCapture = {width: 1280, height: 720, frameRate: 20};
// adaptiveStream off: the subscriber asks for the top layer whatever its element's size, so
// only the bandwidth limit moves it.
const kJoinOptions = {adaptiveStream: false, dynacast: true, simulcast: true, videoCodec: 'vp8',
                      capture: kCapture, timeoutMs: 15000};
// One value for both participants, or "alice,bob" (e.g. "1,0": a room with one of each).
const kSinglePeerConnection = (process.env.AURALINK_BROWSER_SINGLE_PC || '').split(',');
function joinOptionsOf(index) {
  const value = kSinglePeerConnection[Math.min(index, kSinglePeerConnection.length - 1)];
  return value ? {...kJoinOptions, singlePeerConnection: value !== '0'} : kJoinOptions;
}
const kIdentities = ['alice', 'bob'];

const kSubscribeTimeoutMs = 15000;
// Phases of the bandwidth part; the server's estimate has to climb back after the limit lifts.
const kBaselineTimeoutMs = 15000;
const kDropTimeoutMs = 20000;
const kRecoverTimeoutMs = 30000;
const kPollMs = 500;
// livekit-client waits at least 2 s for the peer connections after a resume.
const kResumeTimeoutMs = 15000;
// A resolution counts once this many polls in a row saw it, so a single frame does not.
const kStablePolls = 2;

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function httpUrlOf(serverUrl) {
  const url = new URL(serverUrl);
  if (url.protocol === 'wss:') url.protocol = 'https:';
  if (url.protocol === 'ws:') url.protocol = 'http:';
  url.pathname = '';
  return url.toString().replace(/\/$/, '');
}

// Resolves to null when something accepts TCP connections at the server URL's host and port,
// else to the reason nothing does.
function probeServer(serverUrl, timeoutMs = 3000) {
  const url = new URL(serverUrl);
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  return new Promise((resolve) => {
    const socket = net.connect({host: url.hostname, port});
    const done = (reason) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(null));
    socket.once('error', (error) => done(error.code ?? error.message));
  });
}

// POST {httpUrl}/debug/limit-subscriber-bandwidth; resolves to {status, body, ms}.
async function limitSubscriberBandwidth(httpUrl, adminToken, identity, kbps) {
  const started = Date.now();
  const response = await fetch(`${httpUrl}/debug/limit-subscriber-bandwidth`, {
    method: 'POST',
    headers: {'content-type': 'application/json', 'authorization': `Bearer ${adminToken}`},
    body: JSON.stringify({room: kRoom, identity, kbps}),
    signal: AbortSignal.timeout(5000),
  });
  return {status: response.status, body: (await response.text()).slice(0, 300),
          ms: Date.now() - started};
}

function layerSummary(layers) {
  return layers.map((l) => `${l.rid ?? '-'}:${l.frameWidth ?? 0}x${l.frameHeight ?? 0}` +
                           `@${l.framesPerSecond ?? 0}${l.active === false ? ' paused' : ''}` +
                           `${l.qualityLimitationReason && l.qualityLimitationReason !== 'none' ?
                               ` (${l.qualityLimitationReason})` : ''}`).join(' ');
}

// Waits until `participant` has a playing video and audio track from every identity in `from`.
async function waitForSubscriptions(participant, from) {
  const deadline = Date.now() + kSubscribeTimeoutMs;
  let tracks = [];
  while (Date.now() < deadline) {
    tracks = await participant.call('subscribedTracks');
    const ready = from.every((identity) => {
      const p = tracks.find((t) => t.identity === identity);
      return p && ['video', 'audio'].every((kind) =>
        p.tracks.some((t) => t.kind === kind && t.subscribed && t.attached));
    });
    if (ready) return {ready: true, tracks};
    await sleep(250);
  }
  return {ready: false, tracks};
}

// Samples the subscriber's view of `publisherIdentity`'s video and the publisher's own layers.
class LayerWatch {
  constructor(subscriber, publisher, publisherIdentity) {
    this.subscriber = subscriber;
    this.publisher = publisher;
    this.publisherIdentity = publisherIdentity;
    this.timeline = [];
    this.previous = null;
    this.startedAt = Date.now();
  }

  async sample(phase) {
    const [video, sent] = await Promise.all([
      this.subscriber.call('videoStats', this.publisherIdentity),
      this.publisher.call('publisherStats'),
    ]);
    let kbps = null;
    if (this.previous && video.statsTimestamp > this.previous.statsTimestamp) {
      kbps = Math.round((8 * (video.bytesReceived - this.previous.bytesReceived)) /
                        (video.statsTimestamp - this.previous.statsTimestamp));
    }
    const framesDecoded =
        video.framesDecoded - (this.previous?.framesDecoded ?? video.framesDecoded);
    // What bob's inbound-rtp counted since the sample before: NACKs and PLIs sent, packets lost and
    // received (retransmissions among them), frames received, key frames decoded.
    const delta = (key) => (video[key] ?? 0) - (this.previous?.[key] ?? video[key] ?? 0);
    const counters = {nack: delta('nackCount'), pli: delta('pliCount'), lost: delta('packetsLost'),
                      packets: delta('packetsReceived'), rtx: delta('retransmittedPacketsReceived'),
                      frames: delta('framesReceived'), keys: delta('keyFramesDecoded'),
                      ssrc: video.ssrc};
    this.previous = video;
    const entry = {
      counters,
      t: Date.now() - this.startedAt,
      phase,
      height: video.frameHeight ?? 0,
      width: video.frameWidth ?? 0,
      fps: video.framesPerSecond ?? 0,
      framesDecoded,
      kbps,
      published: layerSummary(sent.layers),
    };
    this.timeline.push(entry);
    return {entry, sent};
  }

  // Polls until `predicate(entry, sent)` held kStablePolls times in a row, or `timeoutMs` passed.
  async until(phase, timeoutMs, predicate) {
    const started = Date.now();
    let streak = 0;
    let last = null;
    while (Date.now() - started < timeoutMs) {
      last = await this.sample(phase);
      streak = predicate(last.entry, last.sent) ? streak + 1 : 0;
      if (streak >= kStablePolls) return {reached: true, ms: Date.now() - started, last};
      await sleep(kPollMs);
    }
    return {reached: false, ms: Date.now() - started, last};
  }

  heights(phase) {
    return this.timeline.filter((e) => e.phase === phase && e.height > 0).map((e) => e.height);
  }
}

function topLayer(sent) {
  const layers = sent.layers.filter((l) => l.frameHeight > 0);
  return layers.length ? layers[layers.length - 1] : null;
}

async function checkBandwidthAdaptation(report, alice, bob, httpUrl) {
  const watch = new LayerWatch(bob, alice, 'alice');
  report.measured.bandwidth = {limitKbps: kLimitKbps, timeline: watch.timeline};
  const measured = report.measured.bandwidth;

  // Baseline: bob decodes the top layer alice currently sends.
  const baseline = await report.step('bandwidth: baseline', () =>
    watch.until('baseline', kBaselineTimeoutMs, (entry, sent) => {
      const top = topLayer(sent);
      return top !== null && entry.height >= top.frameHeight && entry.framesDecoded > 0;
    }));
  const baselineHeight = baseline.reached ? baseline.last.entry.height :
                                            Math.max(0, ...watch.heights('baseline'));
  measured.baselineHeight = baselineHeight;
  measured.baselineMs = baseline.ms;
  const lowest = Math.min(...alice.lastLayers.filter((l) => l.frameHeight > 0)
                              .map((l) => l.frameHeight));
  report.check('bob receives the top layer alice sends before the limit', baseline.reached,
               `${baselineHeight}p after ${baseline.ms} ms (published: ` +
                   `${baseline.last?.entry.published})`);
  // Short of the top, any layer above the lowest still leaves room to see a drop.
  if (!(baselineHeight > lowest)) {
    const reason = 'no baseline above the lowest layer to drop from';
    report.skip('bob\'s layer drops under the bandwidth limit', reason);
    report.skip('bob\'s layer recovers after the limit lifts', reason);
    return;
  }

  const adminToken = await mintRoomAdminToken({room: kRoom});
  let limited;
  try {
    limited = await limitSubscriberBandwidth(httpUrl, adminToken, 'bob', kLimitKbps);
  } catch (error) {
    report.check('bandwidth hook answers', false, `POST ${httpUrl}/debug/limit-subscriber-` +
                 `bandwidth: ${error.cause?.code ?? error.message}`);
    return;
  }
  measured.limitResponse = limited;
  if (limited.status === 404) {
    const reason = `the server has no POST /debug/limit-subscriber-bandwidth (HTTP 404); ` +
                   'see tests/browser/README.md for the contract';
    report.skip('bob\'s layer drops under the bandwidth limit', reason);
    report.skip('bob\'s layer recovers after the limit lifts', reason);
    return;
  }
  if (!report.check('bandwidth hook accepts the limit',
                    limited.status >= 200 && limited.status < 300,
                    `HTTP ${limited.status} ${limited.body}`)) {
    return;
  }

  const drop = await report.step('bandwidth: limited', () =>
    watch.until('limited', kDropTimeoutMs,
                (entry) => entry.height > 0 && entry.height < baselineHeight &&
                           entry.framesDecoded > 0));
  measured.limitedHeight = drop.last?.entry.height ?? null;
  measured.dropMs = drop.ms;
  if (drop.reached) {
    // A few more samples at the limit, for the received bitrate there.
    for (let i = 0; i < 4; ++i) {
      await sleep(kPollMs);
      await watch.sample('limited');
    }
  }
  const limitedRates = watch.timeline.filter((e) => e.phase === 'limited' && e.kbps !== null &&
                                                    e.height === measured.limitedHeight)
                           .map((e) => e.kbps);
  measured.limitedVideoKbps = limitedRates.length ?
      limitedRates.sort((a, b) => a - b)[Math.floor(limitedRates.length / 2)] : null;
  const lastLimited = drop.last?.entry;
  const dropDetail = `${baselineHeight}p -> ${measured.limitedHeight}p ` +
                     `${drop.reached ? 'after' : 'still after'} ${drop.ms} ms, ` +
                     `video ${measured.limitedVideoKbps} kbps at a ${kLimitKbps} kbps limit` +
                     (drop.reached ? '' : ` (last sample: ${lastLimited?.fps} fps, ` +
                                          `${lastLimited?.framesDecoded} frames decoded since the ` +
                                          'one before)');
  report.check('bob\'s layer drops under the bandwidth limit', drop.reached, dropDetail);

  // The limit is lifted whatever happened, so that the server is left as it was found.
  let lifted;
  try {
    lifted = await limitSubscriberBandwidth(httpUrl, adminToken, 'bob', 0);
  } catch (error) {
    report.check('bandwidth hook lifts the limit', false, error.cause?.code ?? error.message);
    return;
  }
  measured.liftResponse = lifted;
  if (!report.check('bandwidth hook lifts the limit', lifted.status >= 200 && lifted.status < 300,
                    `HTTP ${lifted.status} ${lifted.body}`)) {
    return;
  }
  if (!drop.reached) {
    report.skip('bob\'s layer recovers after the limit lifts', 'the layer never dropped');
    return;
  }
  // Back to the baseline layer; if alice's own encoder has meanwhile been held down by CPU (two
  // browsers and the server share a small machine), back to the best layer she still sends.
  let target = baselineHeight;
  const recover = await report.step('bandwidth: recovered', () =>
    watch.until('recovered', kRecoverTimeoutMs, (entry, sent) => {
      const top = topLayer(sent);
      target = top && top.qualityLimitationReason === 'cpu' && top.frameHeight < baselineHeight ?
          top.frameHeight : baselineHeight;
      return entry.height >= target && entry.framesDecoded > 0;
    }));
  measured.recoveredHeight = recover.last?.entry.height ?? null;
  measured.recoverMs = recover.ms;
  if (target !== baselineHeight) {
    report.note(`alice's encoder is CPU-limited to ${target}p; recovery judged against that`);
  }
  report.check('bob\'s layer recovers after the limit lifts', recover.reached,
               `${measured.limitedHeight}p -> ${measured.recoveredHeight}p ` +
                   `${recover.reached ? 'after' : 'still after'} ${recover.ms} ms` +
                   ` (target ${target}p)`);
}

// User data packets both ways over livekit-client's _reliable and _lossy channels (with /rtc the
// server sends on channels it opened on the subscriber connection; with /rtc/v1 on the ones the
// client opened on its single connection). Each receiver must get each packet, stamped with the
// sender's identity.
async function checkData(report, participants) {
  const started = Date.now();
  const expected = [];
  for (const [i, p] of participants.entries()) {
    for (const reliable of [true, false]) {
      const text = `${p.name} ${reliable ? 'reliable' : 'lossy'} ${started}`;
      await p.call('sendData', text, {reliable, topic: 'auralink-test'});
      expected.push({receiver: participants[1 - i], from: p.name, text, reliable});
    }
  }
  const arrived = (received, e) =>
    received.some((r) => r.text === e.text && r.from === e.from && r.reliable === e.reliable);
  let missing = expected;
  while (Date.now() - started < 5000) {
    const received = await Promise.all(participants.map((p) => p.call('receivedData')));
    missing = expected.filter((e) => !arrived(received[participants.indexOf(e.receiver)], e));
    if (missing.length === 0) break;
    await sleep(100);
  }
  report.measured.data = {packets: expected.length, ms: Date.now() - started};
  report.check('data packets arrive both ways, reliable and lossy', missing.length === 0,
               missing.length === 0 ? `${expected.length} packets in ${Date.now() - started} ms` :
                   `missing: ${missing.map((e) => `${e.from} -> ${e.receiver.name} ` +
                                              `${e.reliable ? 'reliable' : 'lossy'}`).join(', ')}`);
}

// Counts of each page event since `since` (an index into the page's event list).
function eventCounts(events, since) {
  const counts = {};
  for (const e of events.slice(since)) counts[e.event] = (counts[e.event] ?? 0) + 1;
  return counts;
}

async function framesDecoded(subscriber, publisherIdentity) {
  return (await subscriber.call('videoStats', publisherIdentity)).framesDecoded ?? 0;
}

async function checkResume(report, alice, bob, aliceSid) {
  const measured = {};
  report.measured.resume = measured;
  const [aliceSince, bobSince] = (await Promise.all([alice.call('events'), bob.call('events')]))
                                     .map((events) => events.length);
  const started = Date.now();
  await report.step('resume: drop alice\'s signalling', () =>
    alice.call('simulateScenario', 'signal-reconnect'));
  let counts = {};
  while (Date.now() - started < kResumeTimeoutMs) {
    counts = eventCounts(await alice.call('events'), aliceSince);
    if (counts.reconnected || counts.disconnected) break;
    await sleep(250);
  }
  measured.ms = Date.now() - started;
  measured.aliceEvents = counts;
  report.check('alice resumes after her signalling drops',
               !!counts['signal-reconnecting'] && !!counts.reconnected && !counts.reconnecting &&
                   !counts.disconnected,
               `${JSON.stringify(counts)} after ${measured.ms} ms (a full reconnect would show ` +
                   '"reconnecting")');
  const local = await alice.call('localParticipant');
  const seenByBob = (await bob.call('subscribedTracks')).find((p) => p.identity === 'alice');
  measured.sid = {joined: aliceSid, after: local.sid, seenByBob: seenByBob?.sid ?? null};
  report.check('alice keeps her participant sid through the resume',
               local.sid === aliceSid && seenByBob?.sid === aliceSid,
               JSON.stringify(measured.sid));
  const bobCounts = eventCounts(await bob.call('events'), bobSince);
  measured.bobEvents = bobCounts;
  report.check('bob never sees alice leave during the resume',
               !bobCounts['participant-disconnected'] && !bobCounts['participant-connected'],
               JSON.stringify(bobCounts));
  // Video keeps arriving both ways once the resume is over.
  const before = await Promise.all([framesDecoded(bob, 'alice'), framesDecoded(alice, 'bob')]);
  await sleep(1500);
  const after = await Promise.all([framesDecoded(bob, 'alice'), framesDecoded(alice, 'bob')]);
  measured.framesIn1500ms = {'alice -> bob': after[0] - before[0], 'bob -> alice': after[1] - before[1]};
  report.check('video flows both ways after the resume', after.every((n, i) => n > before[i] + 5),
               JSON.stringify(measured.framesIn1500ms));
}

async function run(report, media, workDir, context) {
  const resources = context.resources;
  const httpUrl = httpUrlOf(kServerUrl);
  report.measured.server = {url: kServerUrl, httpUrl, room: kRoom};

  const probe = await report.step('probe server', () => probeServer(kServerUrl));
  if (!report.check('a server listens at the signalling URL', probe === null,
                    probe === null ? kServerUrl :
                        `nothing listens at ${kServerUrl} (${probe}); start ` +
                        '`build/auralink serve --dev` or set AURALINK_SERVER_URL')) {
    return;
  }

  const clips = [null, null];
  if (media.mode === 'clips') {
    await report.step('convert clips', async () => {
      for (let i = 0; i < 2; ++i) clips[i] = await prepareParticipantClips(i, workDir, kCapture);
    });
    report.measured.clips = Object.fromEntries(kIdentities.map((id, i) => [id, {
      video: path.basename(clips[i].sourceVideo), audio: path.basename(clips[i].sourceAudio)}]));
  }

  const pageServer = await report.step('start page server', () =>
    startPageServer({serverUrl: kServerUrl}));
  resources.push(() => pageServer.close());

  const participants = await report.step('launch two chromiums', () =>
    Promise.all(kIdentities.map((name, i) => launchParticipantBrowser({
      name,
      pageUrl: pageServer.url,
      fakeVideoFile: clips[i]?.videoFile,
      fakeAudioFile: clips[i]?.audioFile,
    }).then((p) => {
      resources.push(() => p.close());
      return p;
    }))));
  const [alice, bob] = participants;
  context.participants = participants;

  const tokens = await report.step('mint tokens', () => Promise.all(
      kIdentities.map((identity) => mintParticipantToken({room: kRoom, identity}))));

  // Alice first, so that the room exists and bob joins a room with a publisher in it.
  const joined = [];
  for (const [i, p] of participants.entries()) {
    joined.push(await report.step(`join ${p.name}`, () =>
      p.call('join', kServerUrl, tokens[i], joinOptionsOf(i))));
  }
  report.measured.join = Object.fromEntries(joined.map((j, i) => [kIdentities[i], {
    ms: j.ms, participantSid: j.participantSid, room: j.room,
    server: j.serverInfo ?
        `version ${j.serverInfo.version ?? '?'}, protocol ${j.serverInfo.protocol ?? '?'}` :
        null}]));
  report.check('both participants joined the room',
               joined.every((j) => j.room === kRoom),
               joined.map((j, i) => `${kIdentities[i]} ${j.ms} ms`).join(', '));

  // Alice publishes first, bob once alice's tracks play at his end: with one peer connection bob's
  // publication then renegotiates a connection whose last answer already sends him media (the
  // order in which Chromium once refused its own simulcast offer; see sfu/sdp_negotiation.cc).
  const published = await report.step('publish camera and microphone', async () => {
    const first = await alice.call('publish');
    await waitForSubscriptions(bob, ['alice']);
    return [first, await bob.call('publish')];
  });
  report.measured.publish = Object.fromEntries(published.map((pub, i) => [kIdentities[i], {
    ms: pub.ms,
    capture: `${pub.video.settings.width}x${pub.video.settings.height}@` +
             `${pub.video.settings.frameRate}`,
    encodings: pub.video.encodings.map((e) => e.rid).join(','),
  }]));

  const subscriptions = await report.step('subscribe to each other', () =>
    Promise.all([waitForSubscriptions(alice, ['bob']), waitForSubscriptions(bob, ['alice'])]));
  report.measured.subscribedTracks = Object.fromEntries(subscriptions.map((s, i) =>
    [kIdentities[i], s.tracks]));
  const subscribed = subscriptions.map((s, i) =>
    report.check(`${kIdentities[i]} subscribes to ${kIdentities[1 - i]}'s video and audio`,
                 s.ready, s.ready ? 'both tracks playing' :
                     `after ${kSubscribeTimeoutMs} ms: ${JSON.stringify(s.tracks)}`));
  if (!subscribed.every(Boolean)) return;

  // Simulcast as negotiated: three outbound streams with distinct sizes, which Chromium only
  // sends when the server's answer accepted the offer's rids (RFC 8853).
  // Chromium starts the top layer once its own bandwidth estimate (fed by the server's
  // transport-wide CC feedback) allows it: poll for up to 15 s rather than judging one instant.
  const threeSizes = (l) =>
    l.layers.length === 3 && new Set(l.layers.map((x) => x.frameHeight).filter((h) => h > 0)).size === 3;
  let layers = [];
  for (const deadline = Date.now() + 15000; ;) {
    await sleep(1000);
    layers = await Promise.all(participants.map((p) => p.call('publisherStats')));
    if (layers.every(threeSizes) || Date.now() > deadline) break;
  }
  layers.forEach((l, i) => {
    participants[i].lastLayers = l.layers;
    const sizes = new Set(l.layers.map((x) => x.frameHeight).filter((h) => h > 0));
    report.check(`${kIdentities[i]} sends three simulcast layers`,
                 l.layers.length === 3 && l.layers.every((x) => x.rid) && sizes.size === 3,
                 layerSummary(l.layers));
  });
  report.measured.publishedLayers = Object.fromEntries(layers.map((l, i) =>
    [kIdentities[i], layerSummary(l.layers)]));

  // Video content, both directions at once: each publisher records its own capture while the
  // other side grabs decoded frames.
  const grabs = await report.step('grab received video', async () => {
    await Promise.all(participants.map((p) => p.call('startLocalRing')));
    await sleep(1500);
    const result = await Promise.all([
      bob.call('grabFrames', 'alice', {count: 8, intervalMs: 250}),
      alice.call('grabFrames', 'bob', {count: 8, intervalMs: 250}),
    ]);
    const rings = await Promise.all([alice.call('takeLocalRing'), bob.call('takeLocalRing')]);
    await Promise.all(participants.map((p) => p.call('stopLocalRing')));
    return {result, rings};
  });
  report.measured.video = {
    'alice -> bob': checkReceivedVideo(report, 'alice -> bob', {
      grab: grabs.result[0], ring: grabs.rings[0],
      ownClipGrids: clips[0]?.grids ?? null, otherClipGrids: clips[1]?.grids ?? null}),
    'bob -> alice': checkReceivedVideo(report, 'bob -> alice', {
      grab: grabs.result[1], ring: grabs.rings[1],
      ownClipGrids: clips[1]?.grids ?? null, otherClipGrids: clips[0]?.grids ?? null}),
  };

  const energies = await report.step('measure received audio', () => Promise.all([
    bob.call('audioEnergy', 'alice', {durationMs: 2000, floorDbfs: kAudioFloorDbfs}),
    alice.call('audioEnergy', 'bob', {durationMs: 2000, floorDbfs: kAudioFloorDbfs}),
  ]));
  report.measured.audio = {
    'alice -> bob': checkReceivedAudio(report, 'alice -> bob', energies[0]),
    'bob -> alice': checkReceivedAudio(report, 'bob -> alice', energies[1]),
  };

  await report.step('send data', () => checkData(report, participants));

  // Sender reports: the server forwards each publisher's SRs rewritten for the subscriber's
  // stream; Chromium turns them into remote-outbound-rtp stats.
  const srStats = await Promise.all([bob.call('videoStats', 'alice'),
                                     alice.call('videoStats', 'bob')]);
  report.measured.senderReports = {'alice -> bob': srStats[0].senderReports,
                                   'bob -> alice': srStats[1].senderReports};
  report.check('both receive sender reports for the video they receive',
               srStats.every((v) => (v.senderReports?.reportsSent ?? 0) > 0 &&
                                    v.senderReports.packetsSent > 0),
               JSON.stringify(report.measured.senderReports));
  // Receiver reports: the server reports on every layer it receives (loss, jitter, LSR/DLSR), from
  // which Chromium measures its round-trip time to the server.
  const sent = await Promise.all(participants.map((p) => p.call('publisherStats')));
  report.measured.receiverReports = Object.fromEntries(sent.map((l, i) =>
    [kIdentities[i], l.receiverReports]));
  report.check('both publishers get receiver reports with a round-trip time for each layer',
               sent.every((l) => l.receiverReports.length === 3 && l.receiverReports.every(
                   (r) => (r.roundTripTimeMeasurements ?? 0) > 0 && r.roundTripTime >= 0)),
               JSON.stringify(report.measured.receiverReports));

  await checkBandwidthAdaptation(report, alice, bob, httpUrl);

  await checkResume(report, alice, bob, joined[0].participantSid);

  await report.step('leave', () => Promise.all(participants.map((p) => p.call('leave'))));
}

// The last page events and console lines of each browser, when something failed.
async function collectDiagnostics(report, participants) {
  if (participants.length === 0 || report.exitCode() !== kExitFailed) return;
  const out = {};
  for (const p of participants) {
    let events = [];
    try {
      events = await Promise.race([p.call('events'), sleep(2000).then(() => [])]);
    } catch {
      // The page may be gone; its console lines below still tell what happened.
    }
    out[p.name] = {events: events.slice(-40), console: p.consoleLines.slice(-40)};
  }
  report.measured.diagnostics = out;
}

async function main() {
  const missing = missingPrerequisites();
  const media = chooseCaptureMedia();
  if (missing.length > 0 || media.unavailable) {
    console.log(`SKIPPED browser two-party call: ${[...missing, media.unavailable]
        .filter(Boolean).join('; ')}`);
    return kExitCannotRun;
  }
  const report = new TestReport('browser_two_party_call');
  report.measured.media = media;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auralink-browser-'));
  const context = {resources: [], participants: []};
  const releaseAll = async () => {
    const resources = context.resources.splice(0).reverse();
    for (const release of resources) await release().catch(() => {});
    fs.rmSync(workDir, {recursive: true, force: true});
  };
  const watchdog = setTimeout(async () => {
    const running = Object.keys(report.stepsMs);
    report.check('finished in time', false,
                 `still running after ${kTimeoutS} s (steps finished: ${running.join(', ')})`);
    await collectDiagnostics(report, context.participants);
    process.exitCode = report.finish();
    await releaseAll();
    process.exit();
  }, kTimeoutS * 1000);
  try {
    await run(report, media, workDir, context);
  } catch (error) {
    report.check('the call ran to the end', false, error.message.split('\n')[0]);
  }
  await collectDiagnostics(report, context.participants);
  await releaseAll();
  clearTimeout(watchdog);
  return report.finish();
}

main().then((code) => process.exit(code), (error) => {
  console.error(`two_party_call: ${error.stack ?? error}`);
  process.exit(kExitFailed);
});

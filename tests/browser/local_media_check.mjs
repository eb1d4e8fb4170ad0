#!/usr/bin/env node
// The browser test's own machinery, checked without any media server: headless Chromium loads
// the test page and livekit-client from the local page server, captures from the fake devices
// (or the shared clips), sends them through an in-page RTCPeerConnection loopback, and the page's
// frame grabbing and WebAudio energy measurement see the decoded result. Also mints and reads
// back an access token with livekit-server-sdk. When this passes and two_party_call.mjs fails,
// the fault is on the server's side of the call.
//
//   node tests/browser/local_media_check.mjs
//
// Environment: AURALINK_BROWSER_MEDIA (auto | clips | fake), AURALINK_SHARED, AURALINK_CHROMIUM,
// AURALINK_BROWSER_TIMEOUT_S (default 90).
// Exit status: 0 passed, 1 failed, 77 Chromium, node packages or required clips are missing.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {kApiKey, mintParticipantToken, readToken} from './access_tokens.mjs';
import {chooseCaptureMedia, participantClipGrids, prepareParticipantClips} from './clip_media.mjs';
import {launchParticipantBrowser, livekitClientVersion, missingPrerequisites} from
    './headless_chromium.mjs';
import {checkReceivedAudio, checkReceivedVideo, kAudioFloorDbfs} from './media_checks.mjs';
import {startPageServer} from './page_server.mjs';
import {kExitCannotRun, kExitFailed, TestReport} from './test_report.mjs';

const kCapture = {width: 1280, height: 720, frameRate: 20};
const kTimeoutS = Number(process.env.AURALINK_BROWSER_TIMEOUT_S || 90);

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function checkTokens(report) {
  const jwt = await report.step('mint token', () =>
    mintParticipantToken({room: 'browser-test', identity: 'alice'}));
  const {payload} = readToken(jwt);
  const video = payload.video ?? {};
  report.check('token minted by livekit-server-sdk verifies and carries the grants',
               payload.iss === kApiKey && payload.sub === 'alice' &&
                   video.room === 'browser-test' &&
                   video.roomJoin === true && video.canPublish === true &&
                   video.canSubscribe === true && payload.exp * 1000 > Date.now(),
               `iss ${payload.iss}, sub ${payload.sub}, grants ${JSON.stringify(video)}`);
}

async function run(report, media, workDir, resources) {
  await checkTokens(report);

  let clip = null;
  let otherClipGrids = null;
  if (media.mode === 'clips') {
    clip = await report.step('convert clips', () => prepareParticipantClips(0, workDir, kCapture));
    otherClipGrids = await participantClipGrids(1);
  }

  const server = await report.step('start page server', () => startPageServer({}));
  resources.push(() => server.close());
  const participant = await report.step('launch chromium and load page', () =>
    launchParticipantBrowser({
      name: 'loopback',
      pageUrl: server.url,
      fakeVideoFile: clip?.videoFile,
      fakeAudioFile: clip?.audioFile,
    }));
  resources.push(() => participant.close());
  const expectedVersion = livekitClientVersion();
  report.check('page loads livekit-client from tests/livekit',
               participant.livekitVersion === expectedVersion,
               `window.LivekitClient.version ${participant.livekitVersion}, package ` +
                   expectedVersion);

  const loopback = await report.step('capture and loopback connect', () =>
    participant.call('startLoopback', {capture: kCapture}));
  const settings = loopback.video.settings;
  report.measured.capture = {
    video: `${settings.width}x${settings.height}@${settings.frameRate}`,
    audio: `${loopback.audio.settings.sampleRate} Hz x ${loopback.audio.settings.channelCount}`,
  };
  report.check('fake camera captures at the requested size',
               settings.width === kCapture.width && settings.height === kCapture.height,
               `${settings.width}x${settings.height}`);

  await participant.call('startLocalRing');
  await sleep(1500);
  const grab = await report.step('grab loopback frames', () =>
    participant.call('grabFrames', 'loopback', {count: 8, intervalMs: 250}));
  const ring = await participant.call('takeLocalRing');
  await participant.call('stopLocalRing');
  report.measured.localCaptureFramesIn4s = ring.length;
  report.measured.video = checkReceivedVideo(report, 'loopback', {
    grab,
    ring,
    ownClipGrids: clip?.grids ?? null,
    otherClipGrids,
  });

  const energy = await report.step('measure loopback audio', () =>
    participant.call('audioEnergy', 'loopback', {durationMs: 2000, floorDbfs: kAudioFloorDbfs}));
  report.measured.audio = checkReceivedAudio(report, 'loopback', energy);
  const localEnergy = await participant.call('localAudioEnergy', {durationMs: 1000});
  report.measured.localMicrophoneMaxDbfs = Number(localEnergy.maxDbfs.toFixed(1));

  const first = await participant.call('videoStats', 'loopback');
  await sleep(1000);
  const second = await participant.call('videoStats', 'loopback');
  const seconds = (second.statsTimestamp - first.statsTimestamp) / 1000;
  report.measured.videoReceiver = {
    codec: second.codec,
    decoder: second.decoderImplementation,
    resolution: `${second.frameWidth}x${second.frameHeight}`,
    framesPerSecond: second.framesPerSecond,
    kbps: Math.round((8 * (second.bytesReceived - first.bytesReceived)) / seconds / 1000),
    candidatePair: second.candidatePair,
  };
  report.check('receiver statistics count decoded frames',
               second.framesDecoded > first.framesDecoded && second.frameHeight > 0,
               `${second.framesDecoded - first.framesDecoded} frames decoded in ` +
                   `${seconds.toFixed(1)} s at ${second.frameWidth}x${second.frameHeight}`);
  const publisher = await participant.call('publisherStats');
  report.measured.sender = publisher.layers;

  const blocked = participant.consoleLines.filter((l) => /Content.Security.Policy/i.test(l));
  report.check('page stays within its Content-Security-Policy', blocked.length === 0,
               blocked.length ? blocked[0] : 'no violations reported');
}

async function main() {
  const missing = missingPrerequisites();
  const media = chooseCaptureMedia();
  if (missing.length > 0 || media.unavailable) {
    console.log(`SKIPPED browser local media check: ${[...missing, media.unavailable]
        .filter(Boolean).join('; ')}`);
    return kExitCannotRun;
  }
  const report = new TestReport('browser_local_media');
  report.measured.media = media;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auralink-browser-'));
  const resources = [];
  const watchdog = setTimeout(() => {
    report.check('finished in time', false, `still running after ${kTimeoutS} s`);
    process.exitCode = report.finish();
    fs.rmSync(workDir, {recursive: true, force: true});
    process.exit();
  }, kTimeoutS * 1000);
  try {
    await run(report, media, workDir, resources);
  } catch (error) {
    report.check('local media check ran to the end', false, error.message);
  } finally {
    for (const release of resources.reverse()) await release().catch(() => {});
    fs.rmSync(workDir, {recursive: true, force: true});
    clearTimeout(watchdog);
  }
  return report.finish();
}

main().then((code) => process.exit(code), (error) => {
  console.error(`local_media_check: ${error.stack ?? error}`);
  process.exit(kExitFailed);
});

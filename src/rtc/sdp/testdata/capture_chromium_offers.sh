#!/usr/bin/env bash
# Captures real SDP offers from the installed Chromium so the SDP tests parse what a browser sends.
# Drives headless Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON
# messages separated by NUL on fds 3/4), so it needs only node and chromium, no network.
#   src/rtc/sdp/testdata/capture_chromium_offers.sh [output-dir]
# Writes chromium_simulcast_offer.sdp (audio + video with rids q/h/f + data channel) and
# chromium_sendrecv_gathered_offer.sdp (audio + video without simulcast, after ICE gathering) and
# chromium_recvonly_offer.sdp (audio + video recvonly).
set -euo pipefail
out_dir="${1:-$(cd "$(dirname "$0")" && pwd)}"
chromium_bin="${CHROMIUM:-chromium}"
profile_dir="$(mktemp -d)"
trap 'rm -rf "$profile_dir"' EXIT

OUT_DIR="$out_dir" CHROMIUM_BIN="$chromium_bin" PROFILE_DIR="$profile_dir" node - <<'JS'
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const browser = spawn(process.env.CHROMIUM_BIN, [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--remote-debugging-pipe', `--user-data-dir=${process.env.PROFILE_DIR}`, 'about:blank',
], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });

const toBrowser = browser.stdio[3];
const fromBrowser = browser.stdio[4];
let nextId = 1;
const pending = new Map();
let buffered = '';
fromBrowser.on('data', (chunk) => {
  buffered += chunk.toString('utf8');
  let end;
  while ((end = buffered.indexOf('\0')) >= 0) {
    const message = JSON.parse(buffered.slice(0, end));
    buffered = buffered.slice(end + 1);
    if (message.id && pending.has(message.id)) {
      const { resolve, reject } = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) reject(new Error(JSON.stringify(message.error)));
      else resolve(message.result);
    }
  }
});

function send(method, params = {}, sessionId = undefined) {
  const id = nextId++;
  const message = { id, method, params };
  if (sessionId) message.sessionId = sessionId;
  toBrowser.write(JSON.stringify(message) + '\0');
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

// Each offer comes from a fresh RTCPeerConnection in the page; no media devices are needed because
// transceivers are added by kind.
const offers = {
  'chromium_simulcast_offer.sdp': `(async () => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio', { direction: 'sendrecv' });
    pc.addTransceiver('video', { direction: 'sendrecv', sendEncodings: [
      { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150000 },
      { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500000 },
      { rid: 'f', maxBitrate: 1500000 } ] });
    pc.createDataChannel('_reliable');
    const offer = await pc.createOffer();
    pc.close();
    return offer.sdp;
  })()`,
  // Without simulcast Chromium signals the video SSRC and its RTX SSRC (a=ssrc-group:FID); the
  // offer is read back after ICE gathering so any host candidates appear in it.
  'chromium_sendrecv_gathered_offer.sdp': `(async () => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio', { direction: 'sendrecv' });
    pc.addTransceiver('video', { direction: 'sendrecv' });
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') resolve(); };
      setTimeout(resolve, 5000);
    });
    const sdp = pc.localDescription.sdp;
    pc.close();
    return sdp;
  })()`,
  'chromium_recvonly_offer.sdp': `(async () => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addTransceiver('video', { direction: 'recvonly' });
    const offer = await pc.createOffer();
    pc.close();
    return offer.sdp;
  })()`,
};

(async () => {
  const timer = setTimeout(() => { console.error('timed out'); browser.kill(); process.exit(1); }, 30000);
  try {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    const { product } = await send('Browser.getVersion');
    for (const [name, expression] of Object.entries(offers)) {
      const { result, exceptionDetails } = await send('Runtime.evaluate',
          { expression, awaitPromise: true, returnByValue: true }, sessionId);
      if (exceptionDetails) throw new Error(JSON.stringify(exceptionDetails));
      fs.writeFileSync(path.join(process.env.OUT_DIR, name), result.value);
      console.log(`${product}: wrote ${name} (${result.value.length} bytes)`);
    }
    await send('Browser.close').catch(() => {});
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  } finally {
    clearTimeout(timer);
    browser.kill();
  }
})();
JS

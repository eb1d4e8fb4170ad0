// Debian's Chromium, headless, driven through puppeteer-core (which downloads no browser), with
// fake capture devices: Chromium's built-in test pattern and beep, or the files given. One
// browser process per participant, so that each can capture its own clip.

import fs from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';
import {pathToFileURL} from 'node:url';

import {kBrowserTestDir, kLivekitClientUmd, kLivekitModules} from './page_server.mjs';

export const kChromiumPath = process.env.AURALINK_CHROMIUM || '/usr/bin/chromium';

// The reasons this machine cannot run the browser test (empty when it can).
export function missingPrerequisites() {
  const missing = [];
  try {
    fs.accessSync(kChromiumPath, fs.constants.X_OK);
  } catch {
    missing.push(`no Chromium at ${kChromiumPath} (Debian package chromium, or set ` +
                 'AURALINK_CHROMIUM)');
  }
  if (!fs.existsSync(path.join(kBrowserTestDir, 'node_modules', 'puppeteer-core'))) {
    missing.push('puppeteer-core is not installed; run: npm ci --prefix tests/browser');
  }
  if (!fs.existsSync(kLivekitClientUmd) ||
      !fs.existsSync(path.join(kLivekitModules, 'livekit-server-sdk'))) {
    missing.push('livekit-client / livekit-server-sdk are not installed; run: ' +
                 'npm ci --prefix tests/livekit');
  }
  return missing;
}

// livekit-server-sdk from tests/livekit, the one copy of LiveKit's SDKs the tests use.
export async function importServerSdk() {
  const require = createRequire(path.join(kLivekitModules, '..', 'package.json'));
  return import(pathToFileURL(require.resolve('livekit-server-sdk')).href);
}

export function livekitClientVersion() {
  const file = path.join(kLivekitModules, 'livekit-client', 'package.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')).version;
}

// Launches one headless Chromium with one page open at `pageUrl`; resolves to
// {name, browser, page, consoleLines, call(fn, ...args), close()}. `call` runs
// window.auralinkCall[fn](...args) in the page.
export async function launchParticipantBrowser(
    {name, pageUrl, fakeVideoFile, fakeAudioFile, protocolTimeoutMs = 60000}) {
  const {default: puppeteer} = await import('puppeteer-core');
  const args = [
    '--headless=new',
    '--hide-scrollbars',
    '--no-sandbox',
    '--allow-loopback-in-peer-connection',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
    // Host candidates as plain addresses, as a native client sends them: the server under test
    // need not resolve mDNS (.local) names.
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--window-size=1400,900',
  ];
  if (fakeVideoFile) args.push(`--use-file-for-fake-video-capture=${fakeVideoFile}`);
  if (fakeAudioFile) args.push(`--use-file-for-fake-audio-capture=${fakeAudioFile}`);
  const browser = await puppeteer.launch({
    executablePath: kChromiumPath,
    // '--headless=new' is in `args`; puppeteer's own headless mode would add --mute-audio.
    headless: false,
    args,
    defaultViewport: {width: 1400, height: 900},
    protocolTimeout: protocolTimeoutMs,
    timeout: 30000,
  });
  const consoleLines = [];
  // Lines are cut short: livekit-client logs whole signalling URLs, access token included.
  const remember = (line) => {
    consoleLines.push(line.length > 300 ? `${line.slice(0, 300)}...` : line);
    if (consoleLines.length > 200) consoleLines.shift();
  };
  try {
    const [page] = await browser.pages();
    page.on('console', (m) => remember(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => remember(`pageerror: ${e.message}`));
    page.on('requestfailed',
            (r) => remember(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
    await page.goto(pageUrl, {waitUntil: 'load', timeout: 15000});
    const loaded = await page.evaluate(() => ({
      livekit: typeof window.LivekitClient === 'object' ? window.LivekitClient.version : null,
      page: typeof window.auralinkCall === 'object',
    }));
    if (!loaded.livekit) throw new Error('the page did not load livekit-client');
    if (!loaded.page) throw new Error('the page did not load call_page.js');
    return {
      name,
      browser,
      page,
      consoleLines,
      livekitVersion: loaded.livekit,
      call: (fn, ...callArgs) => page.evaluate(
          (f, a) => window.auralinkCall[f](...a), fn, callArgs),
      close: () => closeBrowser(browser),
    };
  } catch (error) {
    await closeBrowser(browser);
    throw error;
  }
}

// Closes politely, then kills: a browser stuck in WebRTC teardown must not hang the test.
export async function closeBrowser(browser) {
  const child = browser.process();
  let timer;
  await Promise.race([
    browser.close().catch(() => {}),
    new Promise((resolve) => {
      timer = setTimeout(resolve, 5000);
    }),
  ]);
  clearTimeout(timer);
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

// The judgements both browser tests make on what a receiver decoded and heard, with the
// tolerances in one place.
//
// Video: frames are compared as 64x36 luma grids (frame_match.mjs). A received frame "matches"
// when the mean absolute difference to the closest reference frame is small: the references are
// the publisher's own captured frames of the last seconds (so encoding, transport and decoding
// are the only differences) and, with the shared clips, every frame of the publisher's clip.
// With the clips the other participant's clip must match clearly worse, which proves the frames
// are the right publisher's and not merely any picture.

import {bestMatch, meanAbsoluteDifference} from './frame_match.mjs';

// Luma on 0..255. A decoded 180p layer of the clips, area-averaged to 64x36, stays within about
// 2 of its source (measured in the in-page loopback and against the clips); 10 leaves room for
// a starved encoder at the lowest layer while a different picture scores well above 20.
export const kMaxMatchMad = 10;
// The right clip must match at least this many times better than the wrong one.
export const kMinWrongClipRatio = 2;
// A black (or blank) frame has mean luma near 0 (or no structure at all).
export const kMinMeanLuma = 16;
export const kMinLumaDeviation = 4;
// Consecutive grabbed frames (about 250 ms apart) must differ somewhere: a frozen picture is
// not a live stream. Chromium's test pattern and both clips move far more than this.
export const kMinFrameChange = 0.3;
// Speech and Chromium's fake beep reach -30 dBFS or more; silence decodes to below -90 dBFS.
export const kAudioFloorDbfs = -50;

function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function round(value, digits = 2) {
  return Number.isFinite(value) ? Number(value.toFixed(digits)) : value;
}

// Capture-to-display delay allowed: ~70 ms measured on an idle machine, seconds on a starved one.
const kLookbackMs = 5000;

// Matches each received frame against the reference frames captured by the publisher up to
// `lookbackMs` before it was shown (the ring's clock and the receiver's are the same machine's).
function matchAgainstRing(frames, ring, lookbackMs = kLookbackMs) {
  return frames.map((frame) => {
    const candidates = ring.filter((r) => r.t <= frame.t + 50 && r.t >= frame.t - lookbackMs);
    const match = bestMatch(frame.grid, candidates.map((c) => c.grid));
    if (!match) return null;
    return {mad: match.mad, psnr: match.psnr, delayMs: frame.t - candidates[match.index].t};
  });
}

// Checks one direction of video (`label`, e.g. "alice -> bob"), recording checks on `report`.
// `grab` is what grabFrames returned on the receiver; `ring` the publisher's takeLocalRing;
// `ownClipGrids` / `otherClipGrids` the clips' source grids, or null with the fake device.
export function checkReceivedVideo(report, label, {grab, ring, ownClipGrids, otherClipGrids}) {
  const frames = grab.frames;
  const measured = {
    frames: frames.length,
    resolution: frames.length ? `${frames.at(-1).width}x${frames.at(-1).height}` : null,
    meanLuma: round(median(frames.map((f) => f.mean))),
    lumaDeviation: round(median(frames.map((f) => f.std))),
    totalVideoFrames: grab.totalVideoFrames,
    droppedVideoFrames: grab.droppedVideoFrames,
  };
  report.check(`${label}: video frames decoded`, frames.length > 0 && grab.totalVideoFrames > 0,
               `${frames.length} grabbed, ${grab.totalVideoFrames} presented`);
  if (frames.length === 0) return measured;

  const blank = frames.filter((f) => f.mean < kMinMeanLuma || f.std < kMinLumaDeviation);
  report.check(`${label}: video not black`, blank.length === 0,
               `${blank.length} of ${frames.length} frames black or blank (median luma ` +
                   `${measured.meanLuma}, deviation ${measured.lumaDeviation})`);

  const changes = [];
  for (let i = 1; i < frames.length; ++i) {
    changes.push(meanAbsoluteDifference(frames[i - 1].grid, frames[i].grid));
  }
  measured.maxFrameChange = round(Math.max(0, ...changes));
  report.check(`${label}: video changes over time`, measured.maxFrameChange >= kMinFrameChange,
               `largest change between grabbed frames ${measured.maxFrameChange} ` +
                   `(needs >= ${kMinFrameChange})`);

  if (ring) {
    const matches = matchAgainstRing(frames, ring).filter((m) => m);
    measured.publisherFrameMad = round(median(matches.map((m) => m.mad)));
    measured.publisherFramePsnrDb = round(median(matches.map((m) => m.psnr)));
    measured.captureToDisplayMs = round(median(matches.map((m) => m.delayMs)), 0);
    report.check(`${label}: video matches the publisher's capture`,
                 matches.length === frames.length && measured.publisherFrameMad <= kMaxMatchMad,
                 `median luma MAD ${measured.publisherFrameMad} (<= ${kMaxMatchMad}), PSNR ` +
                     `${measured.publisherFramePsnrDb} dB over ${matches.length} of ` +
                     `${frames.length} frames with a capture in the last ${kLookbackMs / 1000} s`);
  }
  if (ownClipGrids) {
    const own = frames.map((f) => bestMatch(f.grid, ownClipGrids));
    measured.sourceClipMad = round(median(own.map((m) => m.mad)));
    measured.sourceClipPsnrDb = round(median(own.map((m) => m.psnr)));
    let detail = `median luma MAD ${measured.sourceClipMad} (<= ${kMaxMatchMad}), PSNR ` +
                 `${measured.sourceClipPsnrDb} dB`;
    let passed = measured.sourceClipMad <= kMaxMatchMad;
    if (otherClipGrids) {
      measured.otherClipMad =
          round(median(frames.map((f) => bestMatch(f.grid, otherClipGrids).mad)));
      detail += `; the other participant's clip scores ${measured.otherClipMad} (needs >= ` +
                `${kMinWrongClipRatio}x)`;
      passed = passed && measured.otherClipMad >= kMinWrongClipRatio * measured.sourceClipMad;
    }
    report.check(`${label}: video matches the source clip`, passed, detail);
  }
  return measured;
}

// Checks one direction of audio from audioEnergy's result.
export function checkReceivedAudio(report, label, energy) {
  const measured = {
    maxDbfs: round(energy.maxDbfs, 1),
    medianDbfs: round(energy.medianDbfs, 1),
    fractionAboveFloor: round(energy.fractionAboveFloor),
    windows: energy.windows,
    receiver: energy.receiver ?? null,
  };
  if (measured.receiver?.meanLevelDbov !== undefined && measured.receiver.meanLevelDbov !== null) {
    measured.receiver.meanLevelDbov = round(measured.receiver.meanLevelDbov, 1);
  }
  report.check(`${label}: audio energy above the floor`, energy.maxDbfs > kAudioFloorDbfs,
               `loudest 43 ms window ${measured.maxDbfs} dBFS (floor ${kAudioFloorDbfs}), ` +
                   `${Math.round(100 * energy.fractionAboveFloor)}% of windows above it`);
  return measured;
}

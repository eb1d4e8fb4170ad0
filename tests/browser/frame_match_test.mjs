// Unit tests of frame_match.mjs (node's test runner; no browser needed):
//   node --test tests/browser/frame_match_test.mjs

import assert from 'node:assert/strict';
import test from 'node:test';

import {bestMatch, kGridHeight, kGridScale, kGridWidth, lumaGridFromRgb, meanAbsoluteDifference,
        psnr} from './frame_match.mjs';

const kWidth = kGridWidth * kGridScale;
const kHeight = kGridHeight * kGridScale;

function rgbImage(pixel) {
  const rgb = new Uint8Array(kWidth * kHeight * 3);
  for (let y = 0; y < kHeight; ++y) {
    for (let x = 0; x < kWidth; ++x) rgb.set(pixel(x, y), 3 * (y * kWidth + x));
  }
  return rgb;
}

test('grey image gives its own level in every cell', () => {
  const grid = lumaGridFromRgb(rgbImage(() => [100, 100, 100]));
  assert.equal(grid.length, kGridWidth * kGridHeight);
  assert.ok(grid.every((v) => v === 100));
});

test('luma weights follow BT.601', () => {
  // 0.299 * 255 for pure red, 0.587 * 255 for green, 0.114 * 255 for blue.
  assert.equal(lumaGridFromRgb(rgbImage(() => [255, 0, 0]))[0], 76.2);
  assert.equal(lumaGridFromRgb(rgbImage(() => [0, 255, 0]))[0], 149.7);
  assert.equal(lumaGridFromRgb(rgbImage(() => [0, 0, 255]))[0], 29.1);
});

test('each cell averages its own block only', () => {
  // Columns alternate 0 and 200 within every block, so every cell averages to 100; a cell that
  // took in a neighbour's pixels would not be exactly 100 at the image's edges.
  const grid = lumaGridFromRgb(rgbImage((x) => (x % 2 ? [200, 200, 200] : [0, 0, 0])));
  assert.ok(grid.every((v) => v === 100));
  // One bright block lights exactly one cell.
  const spot = lumaGridFromRgb(rgbImage((x, y) =>
    (x >= 8 && x < 12 && y >= 4 && y < 8 ? [255, 255, 255] : [0, 0, 0])));
  assert.equal(spot.filter((v) => v > 0).length, 1);
  assert.equal(spot[1 * kGridWidth + 2], 255);
});

test('rejects images of the wrong size', () => {
  assert.throws(() => lumaGridFromRgb(new Uint8Array(10), 2, 2), /expects/);
  assert.throws(() => lumaGridFromRgb(new Uint8Array(10)), /shorter/);
});

test('difference measures', () => {
  const a = [10, 20, 30, 40];
  const b = [12, 18, 30, 44];
  assert.equal(meanAbsoluteDifference(a, b), 2);
  // MSE = (4 + 4 + 0 + 16) / 4 = 6.
  assert.ok(Math.abs(psnr(a, b) - 10 * Math.log10((255 * 255) / 6)) < 1e-9);
  assert.equal(psnr(a, a), Infinity);
  assert.throws(() => meanAbsoluteDifference(a, [1, 2]), /differ in size/);
  assert.throws(() => psnr([], []), /differ in size/);
});

test('best match picks the closest candidate', () => {
  const frame = [50, 60, 70];
  const match = bestMatch(frame, [[0, 0, 0], [51, 59, 71], [50, 60, 90]]);
  assert.equal(match.index, 1);
  assert.equal(match.mad, 1);
  assert.equal(bestMatch(frame, []), null);
});

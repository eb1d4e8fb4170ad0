// Compares video frames as 64x36 luma grids (see call_page.js for how the page makes them):
// mean absolute difference and PSNR between two grids, the best match of a received frame among
// candidate source frames, and the grid of an RGB image made the same way the page makes it
// (256x144 RGB, BT.601 luma, 4x4 box average), for source clips that ffmpeg has scaled.

export const kGridWidth = 64;
export const kGridHeight = 36;
export const kGridScale = 4;

export function lumaGridFromRgb(rgb, width = kGridWidth * kGridScale,
                                height = kGridHeight * kGridScale) {
  if (width !== kGridWidth * kGridScale || height !== kGridHeight * kGridScale) {
    throw new Error(`lumaGridFromRgb expects ${kGridWidth * kGridScale}x` +
                    `${kGridHeight * kGridScale} RGB, got ${width}x${height}`);
  }
  if (rgb.length < width * height * 3) throw new Error('RGB buffer is shorter than one frame');
  const sums = new Float64Array(kGridWidth * kGridHeight);
  for (let y = 0; y < height; ++y) {
    const row = Math.floor(y / kGridScale) * kGridWidth;
    for (let x = 0; x < width; ++x) {
      const i = 3 * (y * width + x);
      sums[row + Math.floor(x / kGridScale)] +=
          0.299 * rgb[i] + 0.587 * rgb[i + 1] + 0.114 * rgb[i + 2];
    }
  }
  return Array.from(sums, (s) => Math.round((s / (kGridScale * kGridScale)) * 10) / 10);
}

function checkSameSize(a, b) {
  if (a.length !== b.length || a.length === 0) {
    throw new Error(`grids differ in size (${a.length} vs ${b.length})`);
  }
}

export function meanAbsoluteDifference(a, b) {
  checkSameSize(a, b);
  let sum = 0;
  for (let i = 0; i < a.length; ++i) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

// Peak signal-to-noise ratio for 8-bit values; Infinity for identical grids.
export function psnr(a, b) {
  checkSameSize(a, b);
  let squares = 0;
  for (let i = 0; i < a.length; ++i) squares += (a[i] - b[i]) ** 2;
  const mse = squares / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

// The candidate closest to `grid` by mean absolute difference: {index, mad, psnr}, or null when
// there are no candidates.
export function bestMatch(grid, candidates) {
  let best = null;
  candidates.forEach((candidate, index) => {
    const mad = meanAbsoluteDifference(grid, candidate);
    if (!best || mad < best.mad) best = {index, mad};
  });
  if (best) best.psnr = psnr(grid, candidates[best.index]);
  return best;
}

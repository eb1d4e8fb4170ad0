// Which 16x16 blocks of a frame matter most to a viewer. In a call that is the faces: viewers
// look at eyes and mouth (Yarbus 1967; talking-head eye tracking puts most fixations there), so
// face blocks, with a margin for hair, chin and head motion, get the bits taken from the rest.
#pragma once

#include <span>
#include <vector>

#include "aic/video/analysis/face_detector.h"
#include "aic/video/video_codec.h"

namespace auralink::video {

inline constexpr int kRegionOfInterestBlockSize = 16;

// One weight per 16x16 block, row-major, ceil(width/16) x ceil(height/16): 1 for blocks of
// interest, 0 for the background.
struct RegionOfInterestWeights {
  int block_columns = 0;
  int block_rows = 0;
  std::vector<float> weights;

  bool empty() const;  // no block of interest
};

struct RegionOfInterestConfig {
  // Margin added around each face, as fractions of its width (sides) and height (top, bottom).
  // The bottom margin is larger: the mouth and chin move when speaking.
  double side_margin = 0.2;
  double top_margin = 0.25;
  double bottom_margin = 0.35;
};

// Weights for a frame of width x height (both > 0) with the given faces.
RegionOfInterestWeights WeighFaceBlocks(int width, int height, std::span<const FaceRectangle> faces,
                                        const RegionOfInterestConfig& config = {});

// The codec-facing form: each block's quantizer delta interpolated between background_delta
// (weight 0) and interest_delta (weight 1), rounded and clamped to int8. Negative = finer.
RegionOfInterestMap ToQuantizerDeltaMap(const RegionOfInterestWeights& weights, int interest_delta,
                                        int background_delta);

}  // namespace auralink::video

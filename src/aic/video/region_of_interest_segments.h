// Turns a RegionOfInterestMap (one quantiser delta per 16x16 block) into what segment-based
// encoders take: a segment id per codec block and one delta per segment. With more distinct
// deltas than segments, the deltas are grouped by optimal 1-D k-means (dynamic programming over
// the sorted values, weighted by block count), so the common "0 almost everywhere, a few face
// levels" maps keep their exact values.
#pragma once

#include <cstdint>
#include <vector>

#include "aic/video/video_codec.h"

namespace auralink::video {

struct RegionOfInterestSegments {
  std::vector<uint8_t> segment_of_block;  // row-major over ceil(w/block) x ceil(h/block) blocks
  std::vector<int> segment_delta;         // one per segment used (at most max_segments)
};

// Checks the map's grid against the frame (ceil(width/16) x ceil(height/16) blocks, one delta
// each), clamps deltas to +-max_delta, groups them into at most max_segments segments and
// expands the grid to block_size (16 or 8) blocks.
StatusOr<RegionOfInterestSegments> QuantizeRegionOfInterest(const RegionOfInterestMap& map,
                                                            int width, int height, int block_size,
                                                            int max_segments, int max_delta);

}  // namespace auralink::video

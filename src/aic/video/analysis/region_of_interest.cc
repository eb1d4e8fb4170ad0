#include "aic/video/analysis/region_of_interest.h"

#include <algorithm>
#include <cmath>

namespace auralink::video {

bool RegionOfInterestWeights::empty() const {
  return std::none_of(weights.begin(), weights.end(), [](float w) { return w > 0.0f; });
}

RegionOfInterestWeights WeighFaceBlocks(int width, int height, std::span<const FaceRectangle> faces,
                                        const RegionOfInterestConfig& config) {
  RegionOfInterestWeights map;
  if (width <= 0 || height <= 0) return map;
  map.block_columns = (width + kRegionOfInterestBlockSize - 1) / kRegionOfInterestBlockSize;
  map.block_rows = (height + kRegionOfInterestBlockSize - 1) / kRegionOfInterestBlockSize;
  map.weights.assign(static_cast<size_t>(map.block_columns) * map.block_rows, 0.0f);
  for (const FaceRectangle& face : faces) {
    if (face.width <= 0 || face.height <= 0) continue;
    const double left = face.x - config.side_margin * face.width;
    const double right = face.x + face.width + config.side_margin * face.width;
    const double top = face.y - config.top_margin * face.height;
    const double bottom = face.y + face.height + config.bottom_margin * face.height;
    // Blocks that overlap the widened rectangle, clipped to the frame.
    const int first_column = std::clamp(
        static_cast<int>(std::floor(left / kRegionOfInterestBlockSize)), 0, map.block_columns);
    const int end_column = std::clamp(
        static_cast<int>(std::ceil(right / kRegionOfInterestBlockSize)), 0, map.block_columns);
    const int first_row = std::clamp(static_cast<int>(std::floor(top / kRegionOfInterestBlockSize)),
                                     0, map.block_rows);
    const int end_row = std::clamp(static_cast<int>(std::ceil(bottom / kRegionOfInterestBlockSize)),
                                   0, map.block_rows);
    for (int row = first_row; row < end_row; ++row) {
      for (int column = first_column; column < end_column; ++column) {
        map.weights[static_cast<size_t>(row) * map.block_columns + column] = 1.0f;
      }
    }
  }
  return map;
}

RegionOfInterestMap ToQuantizerDeltaMap(const RegionOfInterestWeights& weights, int interest_delta,
                                        int background_delta) {
  RegionOfInterestMap map;
  map.block_columns = weights.block_columns;
  map.block_rows = weights.block_rows;
  map.quantizer_delta.reserve(weights.weights.size());
  for (float weight : weights.weights) {
    const double w = std::clamp(static_cast<double>(weight), 0.0, 1.0);
    const long delta = std::lround(background_delta + w * (interest_delta - background_delta));
    map.quantizer_delta.push_back(static_cast<int8_t>(std::clamp(delta, -128L, 127L)));
  }
  return map;
}

}  // namespace auralink::video

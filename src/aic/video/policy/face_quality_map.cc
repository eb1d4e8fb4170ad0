#include "aic/video/policy/face_quality_map.h"

#include <vector>

#include "aic/video/analysis/region_of_interest.h"

namespace auralink::video {

FaceQualityDeltas FaceQualityDeltasFor(VideoCodecType codec) {
  switch (codec) {
    case VideoCodecType::kVp8:
      return {-10, 6};
    case VideoCodecType::kVp9:
      return {-10, 6};
    case VideoCodecType::kAv1:
    case VideoCodecType::kH264:
      return {0, 0};
  }
  return {0, 0};
}

bool TakesRegionOfInterestMap(VideoCodecType codec) {
  return codec == VideoCodecType::kVp8 || codec == VideoCodecType::kVp9;
}

RegionOfInterestMap FaceQualityMap(VideoCodecType codec, int source_width, int source_height,
                                   int encoded_width, int encoded_height,
                                   std::span<const FaceRectangle> faces) {
  if (faces.empty() || !TakesRegionOfInterestMap(codec) || source_width < 1 || source_height < 1 ||
      encoded_width < 1 || encoded_height < 1) {
    return {};
  }
  const double scale_x = static_cast<double>(encoded_width) / source_width;
  const double scale_y = static_cast<double>(encoded_height) / source_height;
  std::vector<FaceRectangle> scaled;
  for (const FaceRectangle& face : faces) {
    scaled.push_back({static_cast<int>(face.x * scale_x), static_cast<int>(face.y * scale_y),
                      static_cast<int>(face.width * scale_x + 0.5),
                      static_cast<int>(face.height * scale_y + 0.5)});
  }
  const RegionOfInterestWeights weights = WeighFaceBlocks(encoded_width, encoded_height, scaled);
  if (weights.empty()) return {};
  const FaceQualityDeltas deltas = FaceQualityDeltasFor(codec);
  return ToQuantizerDeltaMap(weights, deltas.face, deltas.background);
}

}  // namespace auralink::video

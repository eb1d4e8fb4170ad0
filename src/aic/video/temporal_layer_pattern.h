// The temporal layer structures AuraLink's encoders use, those of libwebrtc's real-time VP8/AV1
// encoders: layer ids repeat 0 | 0 1 | 0 2 1 2, each layer predicts only from lower or equal
// layers so upper layers can be dropped, and the total bitrate splits 100 | 60/40 | 40/20/40.
#pragma once

#include <cstdint>

namespace auralink::video {

// Frames in one repetition of the layer pattern (1, 2 or 4).
inline int TemporalLayerPeriod(int layers) { return layers >= 3 ? 4 : layers == 2 ? 2 : 1; }

// The layer of the frame at `position` frames after the last key frame.
inline int TemporalLayerAt(int layers, int64_t position) {
  const int phase = static_cast<int>(position % TemporalLayerPeriod(layers));
  if (layers >= 3) {
    static constexpr int kThreeLayers[4] = {0, 2, 1, 2};
    return kThreeLayers[phase];
  }
  return layers == 2 ? phase : 0;
}

// Frame rate divider of `layer` and the layers below it (4 2 1 for three layers).
inline int TemporalLayerRateDecimator(int layers, int layer) {
  return TemporalLayerPeriod(layers) >> layer;
}

// Bitrate of `layer` together with the layers below it, in kbps.
inline int CumulativeTemporalLayerKbps(int layers, int layer, int total_kbps) {
  static constexpr int kTwoLayers[2] = {60, 100};
  static constexpr int kThreeLayers[3] = {40, 60, 100};
  const int percent = layers >= 3 ? kThreeLayers[layer] : layers == 2 ? kTwoLayers[layer] : 100;
  return static_cast<int>(static_cast<int64_t>(total_kbps) * percent / 100);
}

}  // namespace auralink::video

// Region-aware coding for the AIC video engine: faces get a finer quantizer than the background
// through the encoder's region-of-interest map, for the codecs whose wrappers take one (VP8, VP9;
// libaom 3.6 and openh264 offer none). The deltas are in each codec's internal quantizer index:
//  - VP8 (qindex 0..127, 4 segments): faces -10, background +6. Measured (face_quality_map_test:
//    KatieHill at 256x256, VP8 CBR 100 kbps, 40 frames): face PSNR +0.7 dB, background -1.8 dB,
//    at 10 % more bytes. Stronger face deltas buy more face (-16/+10: +1.2 dB) but CBR then
//    overshoots by 20 %; at generous rates (250 kbps) the background is mostly skipped blocks with
//    few bits to give, and the face gains nothing.
//  - VP9 (qindex 0..255, twice VP8's resolution): faces -20, background +12; the wrapper shifts
//    the map to non-negative deltas (its libvpx mis-codes negative ones), so in constant-quality
//    mode the face keeps the chosen quantizer and the background is coded 32 steps coarser.
// SSIM over the whole frame, which the rate controller targets, counts every block alike, so the
// pipeline applies these maps only when perceptual optimisation is on, knowing they trade a
// little global SSIM for the face.
#pragma once

#include <span>

#include "aic/video/analysis/face_detector.h"
#include "aic/video/video_codec.h"

namespace auralink::video {

struct FaceQualityDeltas {
  int face = 0;
  int background = 0;
};

// The deltas above; {0, 0} for codecs without a map.
FaceQualityDeltas FaceQualityDeltasFor(VideoCodecType codec);
bool TakesRegionOfInterestMap(VideoCodecType codec);

// The map for an encoded picture of encoded_width x encoded_height, from faces found on the
// source (source_width x source_height). No faces: an empty map (ROI off).
RegionOfInterestMap FaceQualityMap(VideoCodecType codec, int source_width, int source_height,
                                   int encoded_width, int encoded_height,
                                   std::span<const FaceRectangle> faces);

}  // namespace auralink::video

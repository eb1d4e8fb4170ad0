// Test-only rate models with known behaviour, for the controller and pipeline tests: AV1 at speed
// 6 (the most efficient, 80 ms per megapixel), AV1 at speed 10 (25 % more bits, 20 ms/MP) and VP8
// (60 % more bits, 8 ms/MP); log(1 - SSIM) = -5.5 + 4 q (q over the quantizer range), smaller
// pictures lose quality (+4 per unit of -log scale, so downscaling never pays), and bits grow with
// temporal information.
#pragma once

#include <cmath>
#include <memory>

#include "aic/video/policy/rate_quality_model.h"

namespace auralink::video::testing {

inline RateQualityModelData SyntheticRateModelData() {
  RateQualityModelData data;
  const std::vector<std::string>& names = RateModelFeatureNames();
  auto index = [&](const char* name) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return i;
    }
    return names.size();
  };
  struct Profile {
    EncoderProfile profile;
    double log_bits_offset;
    double ms_per_megapixel;
  };
  const Profile profiles[] = {{{VideoCodecType::kAv1, 6}, 0.0, 80.0},
                              {{VideoCodecType::kAv1, 10}, std::log(1.25), 20.0},
                              {{VideoCodecType::kVp8, -6}, std::log(1.6), 8.0}};
  for (const Profile& p : profiles) {
    ProfileModel profile;
    profile.profile = p.profile;
    profile.ssim_coefficients.assign(names.size(), 0.0);
    profile.ssim_coefficients[index("bias")] = -5.5;
    profile.ssim_coefficients[index("quantizer")] = 4.0;
    profile.ssim_coefficients[index("log_resolution_scale")] = -4.0;
    profile.bits_coefficients.assign(names.size(), 0.0);
    profile.bits_coefficients[index("bias")] = -1.5 + p.log_bits_offset;
    profile.bits_coefficients[index("quantizer")] = -5.0;
    profile.bits_coefficients[index("log_temporal_information")] = 0.5;
    profile.encode_ms_per_megapixel = p.ms_per_megapixel;
    data.profiles.push_back(profile);
  }
  data.repeat_similarity_coefficients.assign(RepeatSimilarityFeatureNames().size(), 0.0);
  data.repeat_similarity_coefficients[0] = -2.5;
  data.baseline_ssim_coefficients.assign(BaselineFeatureNames().size(), 0.0);
  data.baseline_ssim_coefficients[0] = -3.2;  // fresh SSIM ~0.96 whatever the bitrate
  return data;
}

inline std::unique_ptr<RateQualityModel> SyntheticRateModel() {
  auto model = RateQualityModel::Create(SyntheticRateModelData());
  return model.ok() ? std::move(*model) : nullptr;
}

}  // namespace auralink::video::testing

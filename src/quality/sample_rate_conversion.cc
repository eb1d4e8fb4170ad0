#include "quality/sample_rate_conversion.h"

#include <soxr.h>

#include <cmath>
#include <string>

namespace auralink::quality {

StatusOr<std::vector<float>> ConvertSampleRate(std::span<const float> input, int input_rate_hz,
                                               int output_rate_hz) {
  if (input_rate_hz <= 0 || output_rate_hz <= 0) {
    return Status::Error("sample rates must be positive (got " + std::to_string(input_rate_hz) +
                         " -> " + std::to_string(output_rate_hz) + " Hz)");
  }
  if (input_rate_hz == output_rate_hz || input.empty()) {
    return std::vector<float>(input.begin(), input.end());
  }
  const size_t output_length = static_cast<size_t>(std::llround(
      static_cast<double>(input.size()) * output_rate_hz / static_cast<double>(input_rate_hz)));
  std::vector<float> output(output_length, 0.0f);
  const soxr_io_spec_t io_spec = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality_spec = soxr_quality_spec(SOXR_HQ, SOXR_LINEAR_PHASE);
  // One thread: scores must not depend on scheduling, and callers run comparisons in parallel.
  const soxr_runtime_spec_t runtime_spec = soxr_runtime_spec(1);
  size_t produced = 0;
  const soxr_error_t error =
      soxr_oneshot(input_rate_hz, output_rate_hz, 1, input.data(), input.size(), nullptr,
                   output.data(), output.size(), &produced, &io_spec, &quality_spec, &runtime_spec);
  if (error != nullptr) {
    return Status::Error(std::string("libsoxr resampling failed: ") + error);
  }
  // soxr may stop a sample short of the rounded length; the tail stays zero.
  return output;
}

}  // namespace auralink::quality

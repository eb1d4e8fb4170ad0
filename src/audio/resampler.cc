#include "audio/resampler.h"

#include <soxr.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "common/log.h"

namespace auralink::audio {
namespace {

constexpr int kMaxSampleRateHz = 768000;
// How long Create() runs the resampler on silence to find the largest amount of output libsoxr
// withholds. Its block pattern repeats well within this for 20 ms frames at the rates in use.
constexpr int kDelayProbeFrames = 200;

soxr_t CreateSoxr(int input_rate_hz, int output_rate_hz, bool low_latency) {
  soxr_error_t error = nullptr;
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ | SOXR_LINEAR_PHASE, 0);
  soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
  // Smaller DFT blocks cut the withheld output (48 -> 16 kHz: ~37 ms with the default, ~15 ms here)
  // at some cost in CPU.
  if (low_latency) {
    runtime.log2_min_dft_size = 8;
    runtime.log2_large_dft_size = 10;
  }
  soxr_t resampler = soxr_create(input_rate_hz, output_rate_hz, 1, &error, &io, &quality, &runtime);
  if (error != nullptr) {
    soxr_delete(resampler);
    return nullptr;
  }
  return resampler;
}

// Feeds all of `input` and appends everything libsoxr releases to `output`. A null input with
// length 0 flushes the end of the stream.
bool RunSoxr(soxr_t resampler, const float* input, size_t length, std::vector<float>* scratch,
             std::vector<float>* output) {
  size_t consumed = 0;
  while (true) {
    size_t input_done = 0;
    size_t output_done = 0;
    const soxr_error_t error =
        soxr_process(resampler, input == nullptr ? nullptr : input + consumed, length - consumed,
                     &input_done, scratch->data(), scratch->size(), &output_done);
    if (error != nullptr) return false;
    output->insert(output->end(), scratch->begin(),
                   scratch->begin() + static_cast<std::ptrdiff_t>(output_done));
    consumed += input_done;
    if (consumed >= length && output_done < scratch->size()) return true;
    if (input_done == 0 && output_done == 0) return consumed >= length;
  }
}

}  // namespace

StatusOr<std::unique_ptr<StreamingResampler>> StreamingResampler::Create(int input_rate_hz,
                                                                         int output_rate_hz) {
  for (int rate : {input_rate_hz, output_rate_hz}) {
    if (rate <= 0 || rate > kMaxSampleRateHz || rate % (1000 / kResamplerFrameDurationMs) != 0) {
      return Status::Error("resampler: unsupported sample rate " + std::to_string(rate) +
                           " Hz (needs a positive multiple of 50 Hz up to 768000)");
    }
  }
  if (input_rate_hz == output_rate_hz) {
    return std::unique_ptr<StreamingResampler>(
        new StreamingResampler(input_rate_hz, output_rate_hz, nullptr, 0));
  }
  soxr_t resampler = CreateSoxr(input_rate_hz, output_rate_hz, /*low_latency=*/true);
  if (resampler == nullptr) {
    return Status::Error("resampler: libsoxr cannot convert " + std::to_string(input_rate_hz) +
                         " Hz to " + std::to_string(output_rate_hz) + " Hz");
  }
  // The delay is the most output libsoxr ever holds back after a frame: priming the output with
  // that many zeros means a whole frame is always available, at a constant latency.
  const int input_frame = input_rate_hz * kResamplerFrameDurationMs / 1000;
  const int output_frame = output_rate_hz * kResamplerFrameDurationMs / 1000;
  std::vector<float> silence(static_cast<size_t>(input_frame), 0.0f);
  std::vector<float> scratch(static_cast<size_t>(output_frame) * 4 + 4096);
  std::vector<float> produced;
  int64_t total_produced = 0;
  int64_t max_withheld = 0;
  for (int k = 1; k <= kDelayProbeFrames; ++k) {
    produced.clear();
    if (!RunSoxr(resampler, silence.data(), silence.size(), &scratch, &produced)) {
      soxr_delete(resampler);
      return Status::Error("resampler: libsoxr failed while measuring its delay");
    }
    total_produced += static_cast<int64_t>(produced.size());
    max_withheld = std::max(max_withheld, int64_t{k} * output_frame - total_produced);
  }
  soxr_clear(resampler);
  return std::unique_ptr<StreamingResampler>(new StreamingResampler(
      input_rate_hz, output_rate_hz, resampler, static_cast<int>(max_withheld)));
}

StreamingResampler::StreamingResampler(int input_rate_hz, int output_rate_hz, soxr* resampler,
                                       int delay)
    : input_rate_hz_(input_rate_hz),
      output_rate_hz_(output_rate_hz),
      resampler_(resampler),
      delay_output_samples_(delay) {
  scratch_.resize(static_cast<size_t>(output_frame_size()) * 4 + 4096);
  Reset();
}

StreamingResampler::~StreamingResampler() {
  if (resampler_ != nullptr) soxr_delete(resampler_);
}

void StreamingResampler::Reset() {
  if (resampler_ != nullptr) soxr_clear(resampler_);
  pending_.assign(static_cast<size_t>(delay_output_samples_), 0.0f);
  owed_samples_ = 0;
}

void StreamingResampler::ProcessFrame(std::span<const float> in, std::vector<float>* out) {
  const size_t frame = static_cast<size_t>(output_frame_size());
  if (resampler_ == nullptr) {
    out->assign(in.begin(), in.end());
    out->resize(frame, 0.0f);
    return;
  }
  std::vector<float>& produced = produced_;
  produced.clear();
  if (!RunSoxr(resampler_, in.data(), in.size(), &scratch_, &produced)) {
    AURALINK_LOG(kError) << "resampler: libsoxr failed: " << soxr_error(resampler_);
  }
  size_t skip = std::min(owed_samples_, produced.size());
  owed_samples_ -= skip;
  pending_.insert(pending_.end(), produced.begin() + static_cast<std::ptrdiff_t>(skip),
                  produced.end());
  out->resize(frame);
  const size_t available = std::min(frame, pending_.size());
  std::copy_n(pending_.begin(), available, out->begin());
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(available));
  if (available < frame) {
    // Not expected after the delay probe in Create(); zeros keep the length contract, and dropping
    // as many samples later keeps the delay constant.
    std::fill(out->begin() + static_cast<std::ptrdiff_t>(available), out->end(), 0.0f);
    owed_samples_ += frame - available;
    AURALINK_LOG(kWarning) << "resampler: output underrun of " << (frame - available) << " samples";
  }
}

std::vector<float> ResampleWhole(std::span<const float> input, int input_rate_hz,
                                 int output_rate_hz) {
  if (input_rate_hz <= 0 || output_rate_hz <= 0) return {};
  const int64_t expected =
      (static_cast<int64_t>(input.size()) * output_rate_hz + input_rate_hz / 2) / input_rate_hz;
  if (input_rate_hz == output_rate_hz || input.empty()) {
    std::vector<float> copy(input.begin(), input.end());
    copy.resize(static_cast<size_t>(expected), 0.0f);
    return copy;
  }
  soxr_t resampler = CreateSoxr(input_rate_hz, output_rate_hz, /*low_latency=*/false);
  if (resampler == nullptr) return {};
  std::vector<float> output;
  output.reserve(static_cast<size_t>(expected) + 64);
  std::vector<float> scratch(65536);
  // libsoxr compensates its own filter delay: output sample 0 is input time 0 once flushed.
  const bool ok = RunSoxr(resampler, input.data(), input.size(), &scratch, &output) &&
                  RunSoxr(resampler, nullptr, 0, &scratch, &output);
  soxr_delete(resampler);
  if (!ok) return {};
  output.resize(static_cast<size_t>(expected), 0.0f);
  return output;
}

}  // namespace auralink::audio

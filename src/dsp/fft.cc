#include "dsp/fft.h"

#include <cassert>
#include <cmath>
#include <numbers>

namespace auralink::dsp {

Fft::Fft(size_t size) : size_(size), bit_reverse_(size), twiddles_(size / 2), scratch_(size) {
  assert(size >= 2 && (size & (size - 1)) == 0);
  size_t bits = 0;
  while ((size_t{1} << bits) < size) ++bits;
  for (size_t i = 0; i < size; ++i) {
    size_t r = 0;
    for (size_t b = 0; b < bits; ++b) r |= ((i >> b) & 1) << (bits - 1 - b);
    bit_reverse_[i] = r;
  }
  for (size_t k = 0; k < size / 2; ++k) {
    double angle = -2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(size);
    twiddles_[k] = {static_cast<float>(std::cos(angle)), static_cast<float>(std::sin(angle))};
  }
}

void Fft::Transform(std::span<std::complex<float>> data, bool inverse) const {
  assert(data.size() == size_);
  for (size_t i = 0; i < size_; ++i) {
    if (i < bit_reverse_[i]) std::swap(data[i], data[bit_reverse_[i]]);
  }
  for (size_t len = 2; len <= size_; len <<= 1) {
    size_t half = len / 2;
    size_t step = size_ / len;
    for (size_t start = 0; start < size_; start += len) {
      for (size_t k = 0; k < half; ++k) {
        std::complex<float> w = twiddles_[k * step];
        if (inverse) w = std::conj(w);
        std::complex<float> t = w * data[start + k + half];
        data[start + k + half] = data[start + k] - t;
        data[start + k] += t;
      }
    }
  }
}

void Fft::Forward(std::span<std::complex<float>> data) const { Transform(data, false); }

void Fft::Inverse(std::span<std::complex<float>> data) const {
  Transform(data, true);
  const float scale = 1.0f / static_cast<float>(size_);
  for (auto& v : data) v *= scale;
}

void Fft::ForwardReal(std::span<const float> input, std::vector<std::complex<float>>* spectrum) const {
  assert(input.size() == size_);
  for (size_t i = 0; i < size_; ++i) scratch_[i] = {input[i], 0.0f};
  Transform(scratch_, false);
  spectrum->assign(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(size_ / 2 + 1));
}

void Fft::InverseReal(std::span<const std::complex<float>> spectrum, std::vector<float>* output) const {
  assert(spectrum.size() == size_ / 2 + 1);
  for (size_t k = 0; k <= size_ / 2; ++k) scratch_[k] = spectrum[k];
  for (size_t k = size_ / 2 + 1; k < size_; ++k) scratch_[k] = std::conj(spectrum[size_ - k]);
  Transform(scratch_, true);
  output->resize(size_);
  const float scale = 1.0f / static_cast<float>(size_);
  for (size_t i = 0; i < size_; ++i) (*output)[i] = scratch_[i].real() * scale;
}

std::vector<float> HannWindow(size_t length) {
  std::vector<float> window(length);
  for (size_t i = 0; i < length; ++i) {
    window[i] = static_cast<float>(
        0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(length)));
  }
  return window;
}

}  // namespace auralink::dsp

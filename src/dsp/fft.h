// The project's one FFT: iterative radix-2 complex FFT for power-of-two sizes, with a real-input
// wrapper. Plans precompute twiddles and bit reversal so a transform allocates nothing.
#pragma once

#include <complex>
#include <cstddef>
#include <span>
#include <vector>

namespace auralink::dsp {

class Fft {
 public:
  // size must be a power of two >= 2 (checked with an assert: a programmer error).
  explicit Fft(size_t size);

  size_t size() const { return size_; }
  // In-place forward transform (no scaling).
  void Forward(std::span<std::complex<float>> data) const;
  // In-place inverse transform, scaled by 1/size so Inverse(Forward(x)) == x.
  void Inverse(std::span<std::complex<float>> data) const;
  // Real input of length size() -> the size()/2 + 1 non-negative-frequency bins.
  void ForwardReal(std::span<const float> input, std::vector<std::complex<float>>* spectrum) const;
  // size()/2 + 1 bins (Hermitian half) -> real output of length size(), scaled by 1/size.
  void InverseReal(std::span<const std::complex<float>> spectrum, std::vector<float>* output) const;

 private:
  void Transform(std::span<std::complex<float>> data, bool inverse) const;

  size_t size_;
  std::vector<size_t> bit_reverse_;
  std::vector<std::complex<float>> twiddles_;  // exp(-2*pi*i*k/size), k < size/2
  mutable std::vector<std::complex<float>> scratch_;
};

// Periodic Hann window of the given length (the STFT convention).
std::vector<float> HannWindow(size_t length);

}  // namespace auralink::dsp

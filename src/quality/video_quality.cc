#include "quality/video_quality.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace auralink::quality {
namespace {

using video::VideoFrame;

// ffmpeg vf_ssim's constants on 8x8 window sums: C1 = (0.01*255)^2 and C2 = (0.03*255)^2 scaled by
// the 64 samples of a window (and by 63 for C2, whose variance term is the unbiased one), rounded.
constexpr int64_t kWindowC1 = 416;     // round(0.0001 * 255^2 * 64)
constexpr int64_t kWindowC2 = 235963;  // round(0.0009 * 255^2 * 64 * 63)

struct BlockSums {
  int32_t a = 0;
  int32_t b = 0;
  int32_t squares = 0;  // sum of a^2 + b^2
  int32_t product = 0;  // sum of a*b
};

// Sums of the `blocks` 4x4 blocks whose top row starts at `a` and `b`. Column sums first so the
// inner loops run over contiguous samples and vectorise.
void SumBlockRow(const uint8_t* a, int a_stride, const uint8_t* b, int b_stride, int blocks,
                 std::vector<int32_t>* columns, BlockSums* out) {
  const int width = blocks * 4;
  int32_t* sum_a = columns->data();
  int32_t* sum_b = sum_a + width;
  int32_t* squares = sum_b + width;
  int32_t* product = squares + width;
  std::fill(columns->begin(), columns->begin() + 4 * width, 0);
  for (int row = 0; row < 4; ++row) {
    const uint8_t* row_a = a + static_cast<ptrdiff_t>(row) * a_stride;
    const uint8_t* row_b = b + static_cast<ptrdiff_t>(row) * b_stride;
    for (int x = 0; x < width; ++x) {
      const int32_t va = row_a[x];
      const int32_t vb = row_b[x];
      sum_a[x] += va;
      sum_b[x] += vb;
      squares[x] += va * va + vb * vb;
      product[x] += va * vb;
    }
  }
  for (int block = 0; block < blocks; ++block) {
    const int x = block * 4;
    out[block].a = sum_a[x] + sum_a[x + 1] + sum_a[x + 2] + sum_a[x + 3];
    out[block].b = sum_b[x] + sum_b[x + 1] + sum_b[x + 2] + sum_b[x + 3];
    out[block].squares = squares[x] + squares[x + 1] + squares[x + 2] + squares[x + 3];
    out[block].product = product[x] + product[x + 1] + product[x + 2] + product[x + 3];
  }
}

// SSIM of one 8x8 window from its sums (Wang et al. 2004, eq. 13, in sum form).
double WindowSsim(int64_t sum_a, int64_t sum_b, int64_t squares, int64_t product) {
  const int64_t variances = squares * 64 - sum_a * sum_a - sum_b * sum_b;
  const int64_t covariance = product * 64 - sum_a * sum_b;
  const double numerator = static_cast<double>(2 * sum_a * sum_b + kWindowC1) *
                           static_cast<double>(2 * covariance + kWindowC2);
  const double denominator = static_cast<double>(sum_a * sum_a + sum_b * sum_b + kWindowC1) *
                             static_cast<double>(variances + kWindowC2);
  return numerator / denominator;
}

// ---- MS-SSIM ----

constexpr int kGaussianTaps = 11;
constexpr double kGaussianSigma = 1.5;
constexpr std::array<double, 5> kScaleExponents = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
constexpr double kC1 = (0.01 * 255) * (0.01 * 255);
constexpr double kC2 = (0.03 * 255) * (0.03 * 255);
constexpr float kC1f = static_cast<float>(kC1);
constexpr float kC2f = static_cast<float>(kC2);

// Sum with eight partial sums, so it vectorises without reassociation flags.
double SumOf(const float* values, int count) {
  std::array<float, 8> lanes{};
  int i = 0;
  for (; i + 8 <= count; i += 8) {
    for (int lane = 0; lane < 8; ++lane) lanes[lane] += values[i + lane];
  }
  double total = 0.0;
  for (; i < count; ++i) total += values[i];
  for (float lane : lanes) total += lane;
  return total;
}

std::array<float, kGaussianTaps> GaussianTaps() {
  std::array<double, kGaussianTaps> taps{};
  double sum = 0.0;
  for (int i = 0; i < kGaussianTaps; ++i) {
    const double d = i - kGaussianTaps / 2;
    taps[i] = std::exp(-d * d / (2 * kGaussianSigma * kGaussianSigma));
    sum += taps[i];
  }
  std::array<float, kGaussianTaps> normalised{};
  for (int i = 0; i < kGaussianTaps; ++i) normalised[i] = static_cast<float>(taps[i] / sum);
  return normalised;
}

// out[x] = sum over k of taps[k] * in[x + k], pairing the symmetric taps k and 10-k.
void FilterRow(const float* __restrict in, const float* __restrict taps, int out_width,
               float* __restrict out) {
  constexpr int kCentre = kGaussianTaps / 2;
  const float centre = taps[kCentre];
  for (int x = 0; x < out_width; ++x) out[x] = centre * in[x + kCentre];
  for (int k = 0; k < kCentre; ++k) {
    const float tap = taps[k];
    const float* __restrict near = in + k;
    const float* __restrict far = in + kGaussianTaps - 1 - k;
    for (int x = 0; x < out_width; ++x) out[x] += tap * (near[x] + far[x]);
  }
}

void AccumulatePair(const float* __restrict near, const float* __restrict far, float tap, int count,
                    float* __restrict out) {
  for (int x = 0; x < count; ++x) out[x] += tap * (near[x] + far[x]);
}

struct FloatPlane {
  int width = 0;
  int height = 0;
  std::vector<float> samples;
};

FloatPlane ToFloat(const uint8_t* plane, int stride, int width, int height) {
  FloatPlane out{width, height, std::vector<float>(static_cast<size_t>(width) * height)};
  for (int y = 0; y < height; ++y) {
    const uint8_t* row = plane + static_cast<ptrdiff_t>(y) * stride;
    float* dst = out.samples.data() + static_cast<size_t>(y) * width;
    for (int x = 0; x < width; ++x) dst[x] = row[x];
  }
  return out;
}

// 2x2 mean, dropping an odd last row or column.
FloatPlane HalfSize(const FloatPlane& in) {
  FloatPlane out{in.width / 2, in.height / 2, {}};
  out.samples.resize(static_cast<size_t>(out.width) * out.height);
  for (int y = 0; y < out.height; ++y) {
    const float* top = in.samples.data() + static_cast<size_t>(2 * y) * in.width;
    const float* bottom = top + in.width;
    float* dst = out.samples.data() + static_cast<size_t>(y) * out.width;
    for (int x = 0; x < out.width; ++x) {
      dst[x] = 0.25f * (top[2 * x] + top[2 * x + 1] + bottom[2 * x] + bottom[2 * x + 1]);
    }
  }
  return out;
}

struct ScaleSimilarity {
  double contrast_structure = 0.0;  // mean of (2 s_xy + C2) / (s_x^2 + s_y^2 + C2)
  double ssim = 0.0;                // mean of luminance * contrast_structure
};

// Gaussian-windowed SSIM terms over the valid region (no padding), as Wang's reference does.
ScaleSimilarity GaussianSimilarity(const FloatPlane& a, const FloatPlane& b) {
  static const std::array<float, kGaussianTaps> taps = GaussianTaps();
  const int width = a.width;
  const int out_width = width - kGaussianTaps + 1;
  const int out_height = a.height - kGaussianTaps + 1;

  // Horizontal pass of the five moments for every input row.
  const size_t plane_size = static_cast<size_t>(out_width) * a.height;
  // Left uninitialised: FilterRow writes every element.
  const std::unique_ptr<float[]> moments(new float[5 * plane_size]);
  float* h_a = moments.get();
  float* h_b = h_a + plane_size;
  float* h_aa = h_b + plane_size;
  float* h_bb = h_aa + plane_size;
  float* h_ab = h_bb + plane_size;
  std::vector<float> row_aa(width), row_bb(width), row_ab(width);
  for (int y = 0; y < a.height; ++y) {
    const float* row_a = a.samples.data() + static_cast<size_t>(y) * width;
    const float* row_b = b.samples.data() + static_cast<size_t>(y) * width;
    for (int x = 0; x < width; ++x) {
      row_aa[x] = row_a[x] * row_a[x];
      row_bb[x] = row_b[x] * row_b[x];
      row_ab[x] = row_a[x] * row_b[x];
    }
    const size_t offset = static_cast<size_t>(y) * out_width;
    FilterRow(row_a, taps.data(), out_width, h_a + offset);
    FilterRow(row_b, taps.data(), out_width, h_b + offset);
    FilterRow(row_aa.data(), taps.data(), out_width, h_aa + offset);
    FilterRow(row_bb.data(), taps.data(), out_width, h_bb + offset);
    FilterRow(row_ab.data(), taps.data(), out_width, h_ab + offset);
  }

  std::vector<float> mu_a(out_width), mu_b(out_width), m_aa(out_width), m_bb(out_width),
      m_ab(out_width), cs_map(out_width), ssim_map(out_width);
  double sum_cs = 0.0;
  double sum_ssim = 0.0;
  for (int y = 0; y < out_height; ++y) {
    std::fill(mu_a.begin(), mu_a.end(), 0.0f);
    std::fill(mu_b.begin(), mu_b.end(), 0.0f);
    std::fill(m_aa.begin(), m_aa.end(), 0.0f);
    std::fill(m_bb.begin(), m_bb.end(), 0.0f);
    std::fill(m_ab.begin(), m_ab.end(), 0.0f);
    for (int k = 0; k <= kGaussianTaps / 2; ++k) {
      const size_t near = static_cast<size_t>(y + k) * out_width;
      const size_t far = static_cast<size_t>(y + kGaussianTaps - 1 - k) * out_width;
      // The centre row pairs with itself: half its tap twice.
      const float tap = near == far ? taps[k] / 2 : taps[k];
      AccumulatePair(h_a + near, h_a + far, tap, out_width, mu_a.data());
      AccumulatePair(h_b + near, h_b + far, tap, out_width, mu_b.data());
      AccumulatePair(h_aa + near, h_aa + far, tap, out_width, m_aa.data());
      AccumulatePair(h_bb + near, h_bb + far, tap, out_width, m_bb.data());
      AccumulatePair(h_ab + near, h_ab + far, tap, out_width, m_ab.data());
    }
    // Per-window terms in float so the loop vectorises; rows are summed in double.
    for (int x = 0; x < out_width; ++x) {
      const float mean_a = mu_a[x];
      const float mean_b = mu_b[x];
      const float var_a = m_aa[x] - mean_a * mean_a;
      const float var_b = m_bb[x] - mean_b * mean_b;
      const float covariance = m_ab[x] - mean_a * mean_b;
      const float cs = (2 * covariance + kC2f) / (var_a + var_b + kC2f);
      const float luminance =
          (2 * mean_a * mean_b + kC1f) / (mean_a * mean_a + mean_b * mean_b + kC1f);
      cs_map[x] = cs;
      ssim_map[x] = luminance * cs;
    }
    const double row_cs = SumOf(cs_map.data(), out_width);
    const double row_ssim = SumOf(ssim_map.data(), out_width);
    sum_cs += row_cs;
    sum_ssim += row_ssim;
  }
  const double windows = static_cast<double>(out_width) * out_height;
  return {sum_cs / windows, sum_ssim / windows};
}

Status CheckFrame(const VideoFrame& frame, const char* which) {
  if (frame.width < kMinQualityFrameSize || frame.height < kMinQualityFrameSize) {
    return Status::Error(std::string(which) + " frame is " + std::to_string(frame.width) + "x" +
                         std::to_string(frame.height) + ", smaller than the " +
                         std::to_string(kMinQualityFrameSize) + "x" +
                         std::to_string(kMinQualityFrameSize) + " quality measures need");
  }
  if (frame.data.size() != VideoFrame::BufferSize(frame.width, frame.height)) {
    return Status::Error(std::string(which) + " frame buffer holds " +
                         std::to_string(frame.data.size()) + " bytes, not the " +
                         std::to_string(VideoFrame::BufferSize(frame.width, frame.height)) +
                         " of a " + std::to_string(frame.width) + "x" +
                         std::to_string(frame.height) + " I420 frame");
  }
  return Status::Ok();
}

}  // namespace

double PsnrFromMse(double mse) {
  constexpr double kPeakSquared = 255.0 * 255.0;
  if (mse <= kPeakSquared * 1e-10) return kMaxPsnrDb;
  return std::min(kMaxPsnrDb, 10.0 * std::log10(kPeakSquared / mse));
}

double PlaneMse(const uint8_t* a, int a_stride, const uint8_t* b, int b_stride, int width,
                int height) {
  if (width <= 0 || height <= 0) return 0.0;
  uint64_t total = 0;
  for (int y = 0; y < height; ++y) {
    const uint8_t* row_a = a + static_cast<ptrdiff_t>(y) * a_stride;
    const uint8_t* row_b = b + static_cast<ptrdiff_t>(y) * b_stride;
    uint64_t row = 0;
    for (int x = 0; x < width; ++x) {
      const int32_t d = static_cast<int32_t>(row_a[x]) - row_b[x];
      row += static_cast<uint64_t>(d * d);
    }
    total += row;
  }
  return static_cast<double>(total) / (static_cast<double>(width) * height);
}

double PlaneSsim(const uint8_t* a, int a_stride, const uint8_t* b, int b_stride, int width,
                 int height) {
  const int blocks_x = width / 4;
  const int blocks_y = height / 4;
  if (blocks_x < 2 || blocks_y < 2) return 0.0;
  std::vector<int32_t> columns(4 * static_cast<size_t>(blocks_x) * 4);
  std::vector<BlockSums> upper(blocks_x), lower(blocks_x);
  SumBlockRow(a, a_stride, b, b_stride, blocks_x, &columns, upper.data());
  double total = 0.0;
  for (int block_y = 1; block_y < blocks_y; ++block_y) {
    SumBlockRow(a + static_cast<ptrdiff_t>(4 * block_y) * a_stride, a_stride,
                b + static_cast<ptrdiff_t>(4 * block_y) * b_stride, b_stride, blocks_x, &columns,
                lower.data());
    double row = 0.0;
    for (int x = 0; x + 1 < blocks_x; ++x) {
      row += WindowSsim(int64_t{upper[x].a} + upper[x + 1].a + lower[x].a + lower[x + 1].a,
                        int64_t{upper[x].b} + upper[x + 1].b + lower[x].b + lower[x + 1].b,
                        int64_t{upper[x].squares} + upper[x + 1].squares + lower[x].squares +
                            lower[x + 1].squares,
                        int64_t{upper[x].product} + upper[x + 1].product + lower[x].product +
                            lower[x + 1].product);
    }
    total += row;
    std::swap(upper, lower);
  }
  return total / (static_cast<double>(blocks_x - 1) * (blocks_y - 1));
}

double PlaneMsSsim(const uint8_t* a, int a_stride, const uint8_t* b, int b_stride, int width,
                   int height) {
  if (width < kGaussianTaps || height < kGaussianTaps) return 0.0;
  int scales = 1;
  for (int w = width / 2, h = height / 2; scales < static_cast<int>(kScaleExponents.size()) &&
                                          w >= kGaussianTaps && h >= kGaussianTaps;
       w /= 2, h /= 2) {
    ++scales;
  }
  double exponent_sum = 0.0;
  for (int s = 0; s < scales; ++s) exponent_sum += kScaleExponents[s];

  FloatPlane plane_a = ToFloat(a, a_stride, width, height);
  FloatPlane plane_b = ToFloat(b, b_stride, width, height);
  double log_product = 0.0;
  for (int s = 0; s < scales; ++s) {
    if (s > 0) {
      plane_a = HalfSize(plane_a);
      plane_b = HalfSize(plane_b);
    }
    const ScaleSimilarity similarity = GaussianSimilarity(plane_a, plane_b);
    // Eq. 7 of the paper: contrast-structure at every scale, luminance only at the coarsest.
    const double term = s + 1 == scales ? similarity.ssim : similarity.contrast_structure;
    if (term <= 0.0) return 0.0;
    log_product += kScaleExponents[s] / exponent_sum * std::log(term);
  }
  return std::exp(log_product);
}

StatusOr<FrameQuality> MeasureFrame(const VideoFrame& reference, const VideoFrame& distorted,
                                    const VideoQualityOptions& options) {
  AURALINK_RETURN_IF_ERROR(CheckFrame(reference, "reference"));
  AURALINK_RETURN_IF_ERROR(CheckFrame(distorted, "distorted"));
  if (reference.width != distorted.width || reference.height != distorted.height) {
    return Status::Error("frame sizes differ: reference " + std::to_string(reference.width) + "x" +
                         std::to_string(reference.height) + ", distorted " +
                         std::to_string(distorted.width) + "x" + std::to_string(distorted.height));
  }
  const int width = reference.width;
  const int height = reference.height;
  const int chroma_width = reference.chroma_width();
  const int chroma_height = reference.chroma_height();

  FrameQuality quality;
  quality.mse_y = PlaneMse(reference.y().data(), width, distorted.y().data(), width, width, height);
  const double mse_u = PlaneMse(reference.u().data(), chroma_width, distorted.u().data(),
                                chroma_width, chroma_width, chroma_height);
  const double mse_v = PlaneMse(reference.v().data(), chroma_width, distorted.v().data(),
                                chroma_width, chroma_width, chroma_height);
  // ffmpeg vf_psnr: each plane's MSE weighted by its share of all samples.
  const double luma_samples = static_cast<double>(width) * height;
  const double chroma_samples = static_cast<double>(chroma_width) * chroma_height;
  const double all_samples = luma_samples + 2 * chroma_samples;
  quality.mse_yuv = (quality.mse_y * luma_samples + (mse_u + mse_v) * chroma_samples) / all_samples;
  quality.psnr_y = PsnrFromMse(quality.mse_y);
  quality.psnr_yuv = PsnrFromMse(quality.mse_yuv);
  quality.ssim_y =
      PlaneSsim(reference.y().data(), width, distorted.y().data(), width, width, height);
  if (options.ms_ssim) {
    quality.ms_ssim_y =
        PlaneMsSsim(reference.y().data(), width, distorted.y().data(), width, width, height);
  }
  return quality;
}

void VideoQualityAccumulator::Add(const FrameQuality& frame) {
  ++frames_;
  sum_.mse_y += frame.mse_y;
  sum_.mse_yuv += frame.mse_yuv;
  sum_.psnr_y += frame.psnr_y;
  sum_.psnr_yuv += frame.psnr_yuv;
  sum_.ssim_y += frame.ssim_y;
  sum_.ms_ssim_y += frame.ms_ssim_y;
}

FrameQuality VideoQualityAccumulator::Mean() const {
  if (frames_ == 0) return {};
  const double n = frames_;
  return {sum_.mse_y / n,    sum_.mse_yuv / n, sum_.psnr_y / n,
          sum_.psnr_yuv / n, sum_.ssim_y / n,  sum_.ms_ssim_y / n};
}

double VideoQualityAccumulator::PsnrYOfMeanMse() const {
  return frames_ == 0 ? 0.0 : PsnrFromMse(sum_.mse_y / frames_);
}

double VideoQualityAccumulator::PsnrYuvOfMeanMse() const {
  return frames_ == 0 ? 0.0 : PsnrFromMse(sum_.mse_yuv / frames_);
}

}  // namespace auralink::quality

#include "quality/video_quality.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "video/y4m.h"

namespace auralink::quality {
namespace {

using video::VideoFrame;

// A frame with texture at several scales, so SSIM windows see real variance.
VideoFrame TexturedFrame(int width, int height, uint32_t seed) {
  VideoFrame frame = VideoFrame::Allocate(width, height);
  std::mt19937 random(seed);
  auto fill = [&](std::span<uint8_t> plane, int plane_width, int plane_height) {
    for (int y = 0; y < plane_height; ++y) {
      for (int x = 0; x < plane_width; ++x) {
        const double smooth = 128 + 60 * std::sin(x * 0.11) * std::cos(y * 0.07);
        const int noise = static_cast<int>(random() % 41) - 20;
        plane[y * plane_width + x] =
            static_cast<uint8_t>(std::clamp(static_cast<int>(smooth) + noise, 0, 255));
      }
    }
  };
  fill(frame.y(), width, height);
  fill(frame.u(), frame.chroma_width(), frame.chroma_height());
  fill(frame.v(), frame.chroma_width(), frame.chroma_height());
  return frame;
}

// Box blur of luma plus uniform noise on every plane: a degradation that changes structure (blur)
// and adds error everywhere (noise).
VideoFrame Degrade(const VideoFrame& in, int noise_amplitude, uint32_t seed) {
  VideoFrame out = in;
  std::mt19937 random(seed);
  const int w = in.width;
  const int h = in.height;
  auto luma = in.y();
  auto blurred = out.y();
  for (int y = 1; y + 1 < h; ++y) {
    for (int x = 1; x + 1 < w; ++x) {
      int sum = 0;
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) sum += luma[(y + dy) * w + x + dx];
      }
      blurred[y * w + x] = static_cast<uint8_t>((sum + 4) / 9);
    }
  }
  for (uint8_t& sample : out.data) {
    const int noise = static_cast<int>(random() % (2 * noise_amplitude + 1)) - noise_amplitude;
    sample = static_cast<uint8_t>(std::clamp(sample + noise, 0, 255));
  }
  return out;
}

TEST(VideoQualityTest, IdenticalFramesScorePerfect) {
  const VideoFrame frame = TexturedFrame(96, 64, 1);
  const StatusOr<FrameQuality> quality = MeasureFrame(frame, frame);
  ASSERT_TRUE(quality.ok()) << quality.status().message();
  EXPECT_EQ(quality->mse_y, 0.0);
  EXPECT_EQ(quality->psnr_y, kMaxPsnrDb);
  EXPECT_EQ(quality->psnr_yuv, kMaxPsnrDb);
  EXPECT_NEAR(quality->ssim_y, 1.0, 1e-12);
  EXPECT_NEAR(quality->ms_ssim_y, 1.0, 1e-6);
}

TEST(VideoQualityTest, ConstantOffsetsGiveTheirMeanSquaredError) {
  VideoFrame reference = VideoFrame::Allocate(64, 48);
  std::fill(reference.data.begin(), reference.data.end(), 100);
  VideoFrame distorted = reference;
  for (uint8_t& s : distorted.y()) s += 2;  // luma MSE 4
  for (uint8_t& s : distorted.u()) s += 4;  // U MSE 16, V MSE 0
  const StatusOr<FrameQuality> quality = MeasureFrame(reference, distorted);
  ASSERT_TRUE(quality.ok());
  EXPECT_DOUBLE_EQ(quality->mse_y, 4.0);
  EXPECT_NEAR(quality->psnr_y, 10 * std::log10(255.0 * 255.0 / 4.0), 1e-9);
  // Sample counts 4:1:1 -> (4*4 + 16 + 0) / 6.
  EXPECT_NEAR(quality->mse_yuv, 32.0 / 6.0, 1e-12);
  EXPECT_NEAR(quality->psnr_yuv, 10 * std::log10(255.0 * 255.0 / (32.0 / 6.0)), 1e-9);
}

TEST(VideoQualityTest, PsnrIsCapped) {
  EXPECT_EQ(PsnrFromMse(0.0), kMaxPsnrDb);
  EXPECT_EQ(PsnrFromMse(1e-30), kMaxPsnrDb);
  EXPECT_NEAR(PsnrFromMse(255.0 * 255.0), 0.0, 1e-12);
}

// The SSIM definition written directly: every 8x8 window at a step of 4, sample means, unbiased
// (n-1) variance and covariance, ffmpeg's constants expressed on means (C1 = (0.01*255)^2 / 64
// because vf_ssim scales C1 by 64, not 64^2, against squared window sums; C2 = (0.03*255)^2).
double DirectWindowSsim(const VideoFrame& a, const VideoFrame& b) {
  const double c1 = 0.01 * 255 * 0.01 * 255 / 64;
  const double c2 = 0.03 * 255 * 0.03 * 255;
  double total = 0;
  int windows = 0;
  for (int top = 0; top + 8 <= (a.height / 4) * 4; top += 4) {
    for (int left = 0; left + 8 <= (a.width / 4) * 4; left += 4) {
      double mean_a = 0, mean_b = 0;
      for (int y = top; y < top + 8; ++y) {
        for (int x = left; x < left + 8; ++x) {
          mean_a += a.y()[y * a.width + x];
          mean_b += b.y()[y * b.width + x];
        }
      }
      mean_a /= 64;
      mean_b /= 64;
      double var_a = 0, var_b = 0, cov = 0;
      for (int y = top; y < top + 8; ++y) {
        for (int x = left; x < left + 8; ++x) {
          const double da = a.y()[y * a.width + x] - mean_a;
          const double db = b.y()[y * b.width + x] - mean_b;
          var_a += da * da;
          var_b += db * db;
          cov += da * db;
        }
      }
      var_a /= 63;
      var_b /= 63;
      cov /= 63;
      total += (2 * mean_a * mean_b + c1) * (2 * cov + c2) /
               ((mean_a * mean_a + mean_b * mean_b + c1) * (var_a + var_b + c2));
      ++windows;
    }
  }
  return total / windows;
}

TEST(VideoQualityTest, SsimMatchesTheWindowDefinition) {
  // 70x54: sizes that are not multiples of 4, so the ignored edge is exercised too.
  const VideoFrame reference = TexturedFrame(70, 54, 2);
  const VideoFrame distorted = Degrade(reference, 12, 3);
  const StatusOr<FrameQuality> quality = MeasureFrame(reference, distorted);
  ASSERT_TRUE(quality.ok());
  EXPECT_LT(quality->ssim_y, 0.95);
  EXPECT_NEAR(quality->ssim_y, DirectWindowSsim(reference, distorted), 1e-4);
}

// MS-SSIM written directly: 2-D Gaussian sums over every valid window position in double, 2x2
// mean downsampling, the paper's exponents.
double DirectMsSsim(const VideoFrame& a, const VideoFrame& b) {
  const double weights[5] = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
  double g[11], g_sum = 0;
  for (int i = 0; i < 11; ++i) g_sum += g[i] = std::exp(-(i - 5) * (i - 5) / 4.5);
  std::vector<double> pa(a.y().begin(), a.y().end()), pb(b.y().begin(), b.y().end());
  int w = a.width, h = a.height;
  double result = 1;
  for (int scale = 0; scale < 5; ++scale) {
    if (scale > 0) {
      std::vector<double> na((w / 2) * (h / 2)), nb(na.size());
      for (int y = 0; y < h / 2; ++y) {
        for (int x = 0; x < w / 2; ++x) {
          auto avg = [&](const std::vector<double>& p) {
            return (p[2 * y * w + 2 * x] + p[2 * y * w + 2 * x + 1] + p[(2 * y + 1) * w + 2 * x] +
                    p[(2 * y + 1) * w + 2 * x + 1]) /
                   4;
          };
          na[y * (w / 2) + x] = avg(pa);
          nb[y * (w / 2) + x] = avg(pb);
        }
      }
      pa.swap(na);
      pb.swap(nb);
      w /= 2;
      h /= 2;
    }
    double cs_sum = 0, ssim_sum = 0;
    int count = 0;
    for (int top = 0; top + 11 <= h; ++top) {
      for (int left = 0; left + 11 <= w; ++left) {
        double ma = 0, mb = 0, maa = 0, mbb = 0, mab = 0;
        for (int y = 0; y < 11; ++y) {
          for (int x = 0; x < 11; ++x) {
            const double weight = g[y] * g[x] / (g_sum * g_sum);
            const double va = pa[(top + y) * w + left + x];
            const double vb = pb[(top + y) * w + left + x];
            ma += weight * va;
            mb += weight * vb;
            maa += weight * va * va;
            mbb += weight * vb * vb;
            mab += weight * va * vb;
          }
        }
        const double c1 = 6.5025, c2 = 58.5225;
        const double cs = (2 * (mab - ma * mb) + c2) / (maa - ma * ma + mbb - mb * mb + c2);
        cs_sum += cs;
        ssim_sum += cs * (2 * ma * mb + c1) / (ma * ma + mb * mb + c1);
        ++count;
      }
    }
    result *= std::pow((scale == 4 ? ssim_sum : cs_sum) / count, weights[scale]);
  }
  return result;
}

TEST(VideoQualityTest, MsSsimMatchesTheDirectDefinition) {
  const VideoFrame reference = TexturedFrame(200, 184, 4);  // five scales: 184 / 16 = 11
  const VideoFrame distorted = Degrade(reference, 10, 5);
  const StatusOr<FrameQuality> quality = MeasureFrame(reference, distorted);
  ASSERT_TRUE(quality.ok());
  EXPECT_LT(quality->ms_ssim_y, 0.99);
  EXPECT_NEAR(quality->ms_ssim_y, DirectMsSsim(reference, distorted), 1e-4);
}

TEST(VideoQualityTest, MoreNoiseScoresLowerOnEveryMeasure) {
  const VideoFrame reference = TexturedFrame(176, 144, 6);
  FrameQuality previous;
  previous.psnr_y = previous.psnr_yuv = kMaxPsnrDb;
  previous.ssim_y = previous.ms_ssim_y = 1.0;
  for (int amplitude : {2, 8, 24, 60}) {
    const StatusOr<FrameQuality> quality =
        MeasureFrame(reference, Degrade(reference, amplitude, 7));
    ASSERT_TRUE(quality.ok());
    EXPECT_LT(quality->psnr_y, previous.psnr_y) << amplitude;
    EXPECT_LT(quality->psnr_yuv, previous.psnr_yuv) << amplitude;
    EXPECT_LT(quality->ssim_y, previous.ssim_y) << amplitude;
    EXPECT_LT(quality->ms_ssim_y, previous.ms_ssim_y) << amplitude;
    previous = *quality;
  }
}

TEST(VideoQualityTest, MsSsimCanBeSkipped) {
  const VideoFrame reference = TexturedFrame(64, 64, 8);
  const StatusOr<FrameQuality> quality =
      MeasureFrame(reference, Degrade(reference, 5, 9), {.ms_ssim = false});
  ASSERT_TRUE(quality.ok());
  EXPECT_EQ(quality->ms_ssim_y, 0.0);
  EXPECT_GT(quality->ssim_y, 0.0);
}

TEST(VideoQualityTest, RejectsMismatchedAndMalformedFrames) {
  const VideoFrame a = TexturedFrame(64, 48, 1);
  const VideoFrame b = TexturedFrame(48, 64, 1);
  const StatusOr<FrameQuality> mismatched = MeasureFrame(a, b);
  ASSERT_FALSE(mismatched.ok());
  EXPECT_NE(mismatched.status().message().find("sizes differ"), std::string::npos);

  VideoFrame short_buffer = a;
  short_buffer.data.resize(100);
  EXPECT_FALSE(MeasureFrame(a, short_buffer).ok());
  EXPECT_FALSE(MeasureFrame(short_buffer, a).ok());

  const VideoFrame tiny = TexturedFrame(8, 8, 1);
  EXPECT_FALSE(MeasureFrame(tiny, tiny).ok());
  EXPECT_FALSE(MeasureFrame(VideoFrame{}, VideoFrame{}).ok());
}

TEST(VideoQualityTest, AccumulatorGivesBothClipMeans) {
  VideoQualityAccumulator accumulator;
  EXPECT_EQ(accumulator.Mean().ssim_y, 0.0);
  FrameQuality first{.mse_y = 1.0,
                     .mse_yuv = 2.0,
                     .psnr_y = PsnrFromMse(1.0),
                     .psnr_yuv = PsnrFromMse(2.0),
                     .ssim_y = 0.9,
                     .ms_ssim_y = 0.8};
  FrameQuality second{.mse_y = 100.0,
                      .mse_yuv = 50.0,
                      .psnr_y = PsnrFromMse(100.0),
                      .psnr_yuv = PsnrFromMse(50.0),
                      .ssim_y = 0.7,
                      .ms_ssim_y = 0.6};
  accumulator.Add(first);
  accumulator.Add(second);
  EXPECT_EQ(accumulator.frames(), 2);
  EXPECT_NEAR(accumulator.Mean().ssim_y, 0.8, 1e-12);
  EXPECT_NEAR(accumulator.Mean().ms_ssim_y, 0.7, 1e-12);
  EXPECT_NEAR(accumulator.Mean().psnr_y, (first.psnr_y + second.psnr_y) / 2, 1e-12);
  EXPECT_NEAR(accumulator.PsnrYOfMeanMse(), PsnrFromMse(50.5), 1e-12);
  EXPECT_NEAR(accumulator.PsnrYuvOfMeanMse(), PsnrFromMse(26.0), 1e-12);
}

// ---- Agreement with Debian's ffmpeg psnr and ssim filters on the shared clips ----

std::filesystem::path SharedDirectory() {
  if (const char* env = std::getenv("AURALINK_SHARED"); env != nullptr && *env != '\0') {
    return env;
  }
  return std::filesystem::path(AURALINK_SOURCE_DIR) / ".." / "shared";
}

bool FfmpegAvailable() { return std::system("ffmpeg -version > /dev/null 2>&1") == 0; }

// Per-frame "key:value" fields of an ffmpeg psnr/ssim stats file ("n:1 Y:0.98 ..." or
// "n:1 mse_avg:1.2 ... psnr_y:40.1 ...").
std::vector<std::map<std::string, double>> ReadStatsFile(const std::filesystem::path& path) {
  std::vector<std::map<std::string, double>> frames;
  std::ifstream file(path);
  std::string line;
  while (std::getline(file, line)) {
    std::map<std::string, double> fields;
    std::istringstream words(line);
    std::string word;
    while (words >> word) {
      const size_t colon = word.find(':');
      if (colon == std::string::npos) continue;
      fields[word.substr(0, colon)] = std::strtod(word.c_str() + colon + 1, nullptr);
    }
    frames.push_back(std::move(fields));
  }
  return frames;
}

struct ScopedDirectory {
  std::filesystem::path path;
  explicit ScopedDirectory(const std::string& name)
      : path(std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path);
  }
  ~ScopedDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

void CheckAgreementWithFfmpeg(const std::string& clip_name, int noise_amplitude) {
  const std::filesystem::path clip = SharedDirectory() / "media" / "video" / clip_name;
  if (!std::filesystem::exists(clip)) GTEST_SKIP() << clip << " not found (set AURALINK_SHARED)";
  if (!FfmpegAvailable()) GTEST_SKIP() << "ffmpeg not installed";
  constexpr int kFrames = 20;

  ScopedDirectory directory("auralink_video_quality_" + std::to_string(noise_amplitude));
  const std::string reference_path = (directory.path / "reference.y4m").string();
  const std::string distorted_path = (directory.path / "distorted.y4m").string();

  auto reader = video::Y4mReader::Create(clip.string());
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  video::Y4mHeader header = (*reader)->header();
  auto reference_writer = video::Y4mWriter::Create(reference_path, header);
  auto distorted_writer = video::Y4mWriter::Create(distorted_path, header);
  ASSERT_TRUE(reference_writer.ok() && distorted_writer.ok());

  VideoQualityAccumulator ours;
  std::vector<FrameQuality> per_frame;
  VideoFrame frame;
  for (int i = 0; i < kFrames; ++i) {
    StatusOr<bool> read = (*reader)->ReadFrame(&frame);
    ASSERT_TRUE(read.ok()) << read.status().message();
    if (!*read) break;
    const VideoFrame distorted = Degrade(frame, noise_amplitude, 100 + i);
    ASSERT_TRUE((*reference_writer)->WriteFrame(frame).ok());
    ASSERT_TRUE((*distorted_writer)->WriteFrame(distorted).ok());
    const StatusOr<FrameQuality> quality = MeasureFrame(frame, distorted);
    ASSERT_TRUE(quality.ok()) << quality.status().message();
    ours.Add(*quality);
    per_frame.push_back(*quality);
  }
  ASSERT_TRUE((*reference_writer)->Close().ok());
  ASSERT_TRUE((*distorted_writer)->Close().ok());
  ASSERT_GT(ours.frames(), 0);

  const std::filesystem::path ssim_log = directory.path / "ssim.log";
  const std::filesystem::path psnr_log = directory.path / "psnr.log";
  const std::filesystem::path summary_log = directory.path / "summary.log";
  const std::string command = "ffmpeg -nostdin -hide_banner -nostats -loglevel info -i '" +
                              distorted_path + "' -i '" + reference_path +
                              "' -lavfi \"[0:v][1:v]ssim=stats_file='" + ssim_log.string() +
                              "';[0:v][1:v]psnr=stats_file='" + psnr_log.string() +
                              "'\" -f null - 2> '" + summary_log.string() + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  // Per-frame stats files print PSNR and MSE with two decimals and SSIM with six.
  const auto ssim_frames = ReadStatsFile(ssim_log);
  const auto psnr_frames = ReadStatsFile(psnr_log);
  ASSERT_EQ(static_cast<int>(ssim_frames.size()), ours.frames());
  ASSERT_EQ(static_cast<int>(psnr_frames.size()), ours.frames());
  double ffmpeg_psnr_y = 0, ffmpeg_psnr_yuv = 0;
  for (size_t i = 0; i < per_frame.size(); ++i) {
    ffmpeg_psnr_y += psnr_frames[i].at("psnr_y");
    ffmpeg_psnr_yuv += psnr_frames[i].at("psnr_avg");
    EXPECT_NEAR(per_frame[i].ssim_y, ssim_frames[i].at("Y"), 5e-6) << "frame " << i;
    EXPECT_NEAR(per_frame[i].psnr_y, psnr_frames[i].at("psnr_y"), 0.0051) << "frame " << i;
    EXPECT_NEAR(per_frame[i].psnr_yuv, psnr_frames[i].at("psnr_avg"), 0.0051) << "frame " << i;
    EXPECT_NEAR(per_frame[i].mse_y, psnr_frames[i].at("mse_y"), 0.0051) << "frame " << i;
  }
  // The summary lines (six decimals): "SSIM Y:<mean of frames> ..." and "PSNR y:<PSNR of the mean
  // MSE> ... average:<the same for the sample-weighted planes> ...".
  std::ifstream summary_file(summary_log);
  std::stringstream summary_text;
  summary_text << summary_file.rdbuf();
  const std::string summary = summary_text.str();
  const size_t ssim_at = summary.find("SSIM Y:");
  const size_t psnr_at = summary.find("PSNR y:");
  const size_t average_at = summary.find("average:", psnr_at == std::string::npos ? 0 : psnr_at);
  ASSERT_NE(ssim_at, std::string::npos) << summary;
  ASSERT_NE(psnr_at, std::string::npos) << summary;
  ASSERT_NE(average_at, std::string::npos) << summary;
  const double ffmpeg_mean_ssim_y = std::strtod(summary.c_str() + ssim_at + 7, nullptr);
  const double ffmpeg_summary_psnr_y = std::strtod(summary.c_str() + psnr_at + 7, nullptr);
  const double ffmpeg_summary_psnr_yuv = std::strtod(summary.c_str() + average_at + 8, nullptr);

  const double n = ours.frames();
  const FrameQuality mean = ours.Mean();
  EXPECT_NEAR(mean.ssim_y, ffmpeg_mean_ssim_y, 0.002);
  EXPECT_NEAR(mean.ssim_y, ffmpeg_mean_ssim_y, 5e-6);  // what the implementation reaches
  EXPECT_NEAR(mean.psnr_y, ffmpeg_psnr_y / n, 0.05);
  EXPECT_NEAR(mean.psnr_yuv, ffmpeg_psnr_yuv / n, 0.05);
  EXPECT_NEAR(ours.PsnrYOfMeanMse(), ffmpeg_summary_psnr_y, 0.05);
  EXPECT_NEAR(ours.PsnrYOfMeanMse(), ffmpeg_summary_psnr_y, 1e-5);
  EXPECT_NEAR(ours.PsnrYuvOfMeanMse(), ffmpeg_summary_psnr_yuv, 1e-5);
  std::printf(
      "%s noise %d, %d frames: SSIM-Y ours %.6f ffmpeg %.6f; PSNR-Y of mean MSE %.6f / %.6f dB; "
      "PSNR-YUV of mean MSE %.6f / %.6f dB; mean per-frame PSNR-Y %.4f / %.4f dB; "
      "MS-SSIM-Y %.5f\n",
      clip_name.c_str(), noise_amplitude, ours.frames(), mean.ssim_y, ffmpeg_mean_ssim_y,
      ours.PsnrYOfMeanMse(), ffmpeg_summary_psnr_y, ours.PsnrYuvOfMeanMse(),
      ffmpeg_summary_psnr_yuv, mean.psnr_y, ffmpeg_psnr_y / n, mean.ms_ssim_y);
}

TEST(VideoQualityFfmpegTest, AgreesOnForeman) {
  CheckAgreementWithFfmpeg("highmotion_foreman_cif_352x288_30fps_f160-249_decoded.y4m", 6);
}

TEST(VideoQualityFfmpegTest, AgreesOnTalkingHead) {
  CheckAgreementWithFfmpeg("talkinghead_hdtf_KatieHill_512x512_25fps_75f_decoded.y4m", 3);
}

TEST(VideoQualityFfmpegTest, AgreesOnTwoPeopleWithHeavyNoise) {
  CheckAgreementWithFfmpeg("raw_openh264_CiscoVT2people_320x192_12fps_9f.y4m", 30);
}

}  // namespace
}  // namespace auralink::quality

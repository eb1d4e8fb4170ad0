#include "aic/speech/opus_codec.h"

#include <gtest/gtest.h>
#include <opus/opus.h>

#include <cmath>
#include <numbers>
#include <random>

#include "audio/audio_file.h"
#include "audio/resampler.h"
#include "common/shared_test_data.h"

namespace auralink::speech {
namespace {

// Speech-like test signal: 125 ms syllables, alternately voiced (harmonics of a pitch gliding
// between 100 and 240 Hz, 1/k roll-off) and unvoiced (noise), each with its own random loudness.
std::vector<float> SyntheticSpeech(int rate, double seconds, uint32_t seed = 1) {
  const size_t n = static_cast<size_t>(rate * seconds);
  const size_t syllable = static_cast<size_t>(rate / 8);
  std::vector<float> x(n);
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::uniform_real_distribution<double> loudness(0.2, 1.0);
  double phase = 0.0, gain = 0.0;
  for (size_t i = 0; i < n; ++i) {
    if (i % syllable == 0) gain = loudness(rng);
    const double t = static_cast<double>(i) / rate;
    const double pitch = 170.0 + 70.0 * std::sin(2.0 * std::numbers::pi * 2.3 * t);
    phase += 2.0 * std::numbers::pi * pitch / rate;
    const double within = static_cast<double>(i % syllable) / static_cast<double>(syllable);
    const double envelope = gain * std::sin(std::numbers::pi * within);
    double v = 0.0;
    if ((i / syllable) % 2 == 0) {
      for (int k = 1; k * pitch < std::min(7000.0, rate / 2.0 - 500.0); ++k)
        v += std::sin(k * phase) / k;
      v *= 0.12;
    } else {
      v = 0.03 * noise(rng);
    }
    x[i] = static_cast<float>(envelope * v) + 0.001f * noise(rng);
  }
  return x;
}

// Real speech at `rate` when the shared clips are present, else the synthetic stand-in.
std::vector<float> SpeechAt(int rate) {
  const std::string path = SharedTestFile("media/speech/lyra_sample1_16kHz.wav");
  if (path.empty()) return SyntheticSpeech(rate, 3.0);
  auto clip = audio::ReadAudioFile(path);
  if (!clip.ok()) return SyntheticSpeech(rate, 3.0);
  return audio::ResampleWhole(clip->samples, clip->sample_rate_hz, rate);
}

EncoderOptions OpusEncoderOptions(int rate, int bitrate, int channels = 1) {
  EncoderOptions options;
  options.codec = CodecType::kOpus;
  options.input_sample_rate_hz = rate;
  options.input_channels = channels;
  options.bitrate_bps = bitrate;
  return options;
}

DecoderOptions OpusDecoderOptions(int rate) {
  DecoderOptions options;
  options.codec = CodecType::kOpus;
  options.output_sample_rate_hz = rate;
  return options;
}

std::vector<std::vector<uint8_t>> EncodeAll(SpeechEncoder* encoder, const std::vector<float>& x) {
  const size_t frame = static_cast<size_t>(encoder->frame_size());
  std::vector<std::vector<uint8_t>> packets;
  for (size_t begin = 0; begin + frame <= x.size(); begin += frame) {
    packets.emplace_back();
    Status status =
        encoder->Encode(std::span<const float>(x).subspan(begin, frame), &packets.back());
    EXPECT_TRUE(status.ok()) << status.message();
  }
  return packets;
}

std::vector<float> DecodeAll(SpeechDecoder* decoder,
                             const std::vector<std::vector<uint8_t>>& packets) {
  std::vector<float> out, frame;
  for (const auto& packet : packets) {
    Status status = decoder->Decode(packet, &frame);
    EXPECT_TRUE(status.ok()) << status.message();
    EXPECT_EQ(frame.size(), static_cast<size_t>(decoder->frame_size()));
    out.insert(out.end(), frame.begin(), frame.end());
  }
  return out;
}

// The best normalised correlation of `decoded` against `reference` over delays 0..max_delay.
double AlignedCorrelation(const std::vector<float>& reference, const std::vector<float>& decoded,
                          size_t max_delay, size_t* best_delay = nullptr) {
  double best = -1.0;
  for (size_t delay = 0; delay <= max_delay; ++delay) {
    const size_t n = std::min(reference.size(), decoded.size() - delay);
    double xy = 0, xx = 0, yy = 0;
    for (size_t i = 0; i < n; ++i) {
      xy += static_cast<double>(reference[i]) * decoded[i + delay];
      xx += static_cast<double>(reference[i]) * reference[i];
      yy += static_cast<double>(decoded[i + delay]) * decoded[i + delay];
    }
    const double c = xy / std::sqrt(xx * yy + 1e-20);
    if (c > best) {
      best = c;
      if (best_delay != nullptr) *best_delay = delay;
    }
  }
  return best;
}

TEST(OpusCodecTest, CreateRejectsBadOptions) {
  EXPECT_FALSE(OpusSpeechEncoder::Create(OpusEncoderOptions(22050, 24000)).ok());
  EXPECT_FALSE(OpusSpeechEncoder::Create(OpusEncoderOptions(16000, 24000, 3)).ok());
  EXPECT_FALSE(OpusSpeechEncoder::Create(OpusEncoderOptions(16000, 5999)).ok());
  EXPECT_FALSE(OpusSpeechEncoder::Create(OpusEncoderOptions(16000, 510001)).ok());
  EncoderOptions loss = OpusEncoderOptions(16000, 24000);
  loss.opus_expected_loss_percent = 101;
  EXPECT_FALSE(OpusSpeechEncoder::Create(loss).ok());
  EncoderOptions other = OpusEncoderOptions(16000, 24000);
  other.codec = CodecType::kSoundStream;
  EXPECT_FALSE(OpusSpeechEncoder::Create(other).ok());
  EXPECT_FALSE(OpusSpeechDecoder::Create(OpusDecoderOptions(11025)).ok());
  DecoderOptions decoder_other = OpusDecoderOptions(16000);
  decoder_other.codec = CodecType::kSoundStream;
  EXPECT_FALSE(OpusSpeechDecoder::Create(decoder_other).ok());
}

TEST(OpusCodecTest, FrameSizesFollowTheRates) {
  for (int rate : {8000, 16000, 32000, 44100, 48000}) {
    auto encoder = OpusSpeechEncoder::Create(OpusEncoderOptions(rate, 24000, 2));
    ASSERT_TRUE(encoder.ok()) << encoder.status().message();
    EXPECT_EQ((*encoder)->frame_size(), rate / 50 * 2);
    EXPECT_EQ((*encoder)->codec(), CodecType::kOpus);
    auto decoder = OpusSpeechDecoder::Create(OpusDecoderOptions(rate));
    ASSERT_TRUE(decoder.ok()) << decoder.status().message();
    EXPECT_EQ((*decoder)->frame_size(), rate / 50);
  }
}

TEST(OpusCodecTest, WrongFrameLengthIsAnError) {
  auto encoder = OpusSpeechEncoder::Create(OpusEncoderOptions(16000, 24000));
  ASSERT_TRUE(encoder.ok());
  std::vector<uint8_t> packet;
  EXPECT_FALSE((*encoder)->Encode(std::vector<float>(319, 0.0f), &packet).ok());
  EXPECT_TRUE((*encoder)->Encode(std::vector<float>(320, 0.0f), &packet).ok());
}

struct RoundTripCase {
  int input_rate;
  int output_rate;
  int bitrate;
};

class OpusRoundTripTest : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(OpusRoundTripTest, DecodedSpeechCorrelatesWithTheInputAtTheExpectedDelay) {
  const RoundTripCase c = GetParam();
  auto encoder = OpusSpeechEncoder::Create(OpusEncoderOptions(c.input_rate, c.bitrate));
  auto decoder = OpusSpeechDecoder::Create(OpusDecoderOptions(c.output_rate));
  ASSERT_TRUE(encoder.ok() && decoder.ok());
  const std::vector<float> input = SpeechAt(c.input_rate);
  const std::vector<float> decoded = DecodeAll(decoder->get(), EncodeAll(encoder->get(), input));
  ASSERT_EQ(decoded.size(), input.size() / static_cast<size_t>(c.input_rate / 50) *
                                static_cast<size_t>(c.output_rate / 50));
  const std::vector<float> reference = audio::ResampleWhole(input, c.input_rate, c.output_rate);
  size_t delay = 0;
  const double correlation =
      AlignedCorrelation(reference, decoded, static_cast<size_t>(c.output_rate / 20), &delay);
  // A waveform codec at these rates keeps the waveform: a broken path (wrong rate, misaligned or
  // dropped frames) would correlate near zero.
  EXPECT_GT(correlation, 0.7) << "best delay " << delay << " samples";

  // The delay is libopus's 6.5 ms in VoIP mode (2.5 ms CELT look-ahead + 4 ms delay compensation)
  // plus the reported delays of any resampler on the way.
  double expected = 0.0065 * c.output_rate;
  if (c.input_rate == 32000 || c.input_rate == 44100) {
    auto resampler = audio::StreamingResampler::Create(c.input_rate, 48000);
    ASSERT_TRUE(resampler.ok());
    expected += (*resampler)->delay_output_samples() * static_cast<double>(c.output_rate) / 48000;
  }
  if (c.output_rate == 32000 || c.output_rate == 44100) {
    auto resampler = audio::StreamingResampler::Create(48000, c.output_rate);
    ASSERT_TRUE(resampler.ok());
    expected += (*resampler)->delay_output_samples();
  }
  EXPECT_NEAR(static_cast<double>(delay), expected, c.output_rate / 2000.0);
}

INSTANTIATE_TEST_SUITE_P(
    Rates, OpusRoundTripTest,
    ::testing::Values(RoundTripCase{16000, 16000, 32000}, RoundTripCase{48000, 48000, 32000},
                      RoundTripCase{44100, 44100, 32000}, RoundTripCase{32000, 16000, 32000},
                      RoundTripCase{16000, 44100, 32000}, RoundTripCase{8000, 8000, 16000}),
    [](const auto& info) {
      return std::to_string(info.param.input_rate) + "to" + std::to_string(info.param.output_rate) +
             "at" + std::to_string(info.param.bitrate);
    });

TEST(OpusCodecTest, StereoIsDownmixed) {
  auto encoder = OpusSpeechEncoder::Create(OpusEncoderOptions(16000, 32000, 2));
  auto decoder = OpusSpeechDecoder::Create(OpusDecoderOptions(16000));
  ASSERT_TRUE(encoder.ok() && decoder.ok());
  const std::vector<float> mono = SpeechAt(16000);
  std::vector<float> stereo;
  for (float v : mono) {
    stereo.push_back(v);     // left carries the signal
    stereo.push_back(0.0f);  // right is silent: the mix is half as loud
  }
  const std::vector<float> decoded = DecodeAll(decoder->get(), EncodeAll(encoder->get(), stereo));
  size_t delay = 0;
  EXPECT_GT(AlignedCorrelation(mono, decoded, 800, &delay), 0.7);
  double in = 0, out = 0;
  for (size_t i = 1600; i + delay < decoded.size(); ++i) {
    in += mono[i] * mono[i];
    out += decoded[i + delay] * decoded[i + delay];
  }
  EXPECT_NEAR(10.0 * std::log10(out / in), -6.0, 1.5);
}

TEST(OpusCodecTest, BitrateChangesMidStream) {
  auto encoder = OpusSpeechEncoder::Create(OpusEncoderOptions(16000, 8000));
  auto decoder = OpusSpeechDecoder::Create(OpusDecoderOptions(16000));
  ASSERT_TRUE(encoder.ok() && decoder.ok());
  const std::vector<float> input = SpeechAt(16000);
  const size_t frames = input.size() / 320, change = frames / 2;
  std::vector<float> frame, decoded;
  std::vector<uint8_t> packet;
  size_t low_bytes = 0, high_bytes = 0;
  for (size_t f = 0; f < frames; ++f) {
    if (f == change) {
      ASSERT_TRUE((*encoder)->SetBitrate(40000).ok());
      EXPECT_EQ((*encoder)->bitrate_bps(), 40000);
    }
    ASSERT_TRUE(
        (*encoder)->Encode(std::span<const float>(input).subspan(f * 320, 320), &packet).ok());
    (f < change ? low_bytes : high_bytes) += packet.size();
    ASSERT_TRUE((*decoder)->Decode(packet, &frame).ok());
    decoded.insert(decoded.end(), frame.begin(), frame.end());
  }
  const double low_bps = low_bytes * 8.0 / (static_cast<double>(change) * 0.02);
  const double high_bps = high_bytes * 8.0 / (static_cast<double>(frames - change) * 0.02);
  // Opus runs VBR, so speech takes what it needs up to the target.
  EXPECT_LT(low_bps, 8000 * 1.25);
  EXPECT_LT(high_bps, 40000 * 1.25);
  EXPECT_GT(high_bps, 3.0 * low_bps) << low_bps << " -> " << high_bps;
  // The stream stays decodable and continuous across the change.
  const std::vector<float> after(input.begin() + static_cast<std::ptrdiff_t>(change * 320),
                                 input.end());
  const std::vector<float> decoded_after(
      decoded.begin() + static_cast<std::ptrdiff_t>(change * 320), decoded.end());
  EXPECT_GT(AlignedCorrelation(after, decoded_after, 800), 0.7);
}

TEST(OpusCodecTest, SetBitrateRejectsOutOfRange) {
  auto encoder = OpusSpeechEncoder::Create(OpusEncoderOptions(16000, 24000));
  ASSERT_TRUE(encoder.ok());
  EXPECT_FALSE((*encoder)->SetBitrate(5999).ok());
  EXPECT_FALSE((*encoder)->SetBitrate(510001).ok());
  EXPECT_EQ((*encoder)->bitrate_bps(), 24000);
  EXPECT_TRUE((*encoder)->SetBitrate(510000).ok());
  EXPECT_TRUE((*encoder)->SetBitrate(6000).ok());
}

double ErrorEnergy(const std::vector<float>& a, const std::vector<float>& b, size_t begin,
                   size_t end) {
  double e = 0.0;
  for (size_t i = begin; i < end; ++i) e += (a[i] - b[i]) * (a[i] - b[i]);
  return e;
}

TEST(OpusCodecTest, InbandFecRecoversALostFrameBetterThanConcealment) {
  EncoderOptions options = OpusEncoderOptions(16000, 24000);
  options.opus_inband_fec = true;
  options.opus_expected_loss_percent = 20;
  auto encoder = OpusSpeechEncoder::Create(options);
  ASSERT_TRUE(encoder.ok());
  const std::vector<float> input = SpeechAt(16000);
  const auto packets = EncodeAll(encoder->get(), input);
  ASSERT_GT(packets.size(), 120u);

  auto reference_decoder = OpusSpeechDecoder::Create(OpusDecoderOptions(16000));
  ASSERT_TRUE(reference_decoder.ok());
  const std::vector<float> reference = DecodeAll(reference_decoder->get(), packets);

  // Lose every 10th frame; recover it from the next packet's FEC, or conceal it without.
  auto decode_with_losses = [&](bool use_fec) {
    auto decoder = OpusSpeechDecoder::Create(OpusDecoderOptions(16000));
    std::vector<float> out, frame;
    for (size_t f = 0; f < packets.size(); ++f) {
      if (f % 10 == 5 && f + 1 < packets.size()) {
        (*decoder)->Conceal(
            use_fec ? std::span<const uint8_t>(packets[f + 1]) : std::span<const uint8_t>(),
            &frame);
      } else {
        EXPECT_TRUE((*decoder)->Decode(packets[f], &frame).ok());
      }
      EXPECT_EQ(frame.size(), 320u);
      out.insert(out.end(), frame.begin(), frame.end());
    }
    return out;
  };
  const std::vector<float> with_fec = decode_with_losses(true);
  const std::vector<float> with_plc = decode_with_losses(false);
  double fec_error = 0.0, plc_error = 0.0, signal = 0.0;
  for (size_t f = 5; f + 1 < packets.size(); f += 10) {
    fec_error += ErrorEnergy(reference, with_fec, f * 320, (f + 2) * 320);
    plc_error += ErrorEnergy(reference, with_plc, f * 320, (f + 2) * 320);
    signal +=
        ErrorEnergy(reference, std::vector<float>(reference.size(), 0.0f), f * 320, (f + 2) * 320);
  }
  const double fec_snr = 10.0 * std::log10(signal / fec_error);
  const double plc_snr = 10.0 * std::log10(signal / plc_error);
  EXPECT_GT(fec_snr, plc_snr + 3.0) << "FEC " << fec_snr << " dB, PLC " << plc_snr << " dB";
}

TEST(OpusCodecTest, DtxSendsNothingForSilence) {
  EncoderOptions options = OpusEncoderOptions(16000, 24000);
  options.dtx = true;
  auto encoder = OpusSpeechEncoder::Create(options);
  auto decoder = OpusSpeechDecoder::Create(OpusDecoderOptions(16000));
  ASSERT_TRUE(encoder.ok() && decoder.ok());
  std::vector<float> input = SyntheticSpeech(16000, 1.0);
  input.resize(16000 * 4, 0.0f);  // then three seconds of silence
  const auto packets = EncodeAll(encoder->get(), input);
  size_t empty_in_speech = 0, empty_in_silence = 0;
  for (size_t f = 0; f < packets.size(); ++f) {
    if (packets[f].empty()) (f < 50 ? empty_in_speech : empty_in_silence)++;
    EXPECT_TRUE(packets[f].empty() || packets[f].size() > 2);
  }
  EXPECT_EQ(empty_in_speech, 0u);
  EXPECT_GT(empty_in_silence, 150u * 8 / 10);
  // The decoder fills the gaps through Decode() of an empty packet or Conceal().
  std::vector<float> frame;
  for (const auto& packet : packets) {
    ASSERT_TRUE((*decoder)->Decode(packet, &frame).ok());
    ASSERT_EQ(frame.size(), 320u);
    for (float v : frame) ASSERT_TRUE(std::isfinite(v));
  }
  double tail = 0.0;
  for (float v : frame) tail += v * v;
  EXPECT_LT(tail / 320, 1e-6);
}

TEST(OpusCodecTest, WithoutDtxEveryFrameHasAPacket) {
  auto encoder = OpusSpeechEncoder::Create(OpusEncoderOptions(16000, 24000));
  ASSERT_TRUE(encoder.ok());
  for (const auto& packet : EncodeAll(encoder->get(), std::vector<float>(16000 * 2, 0.0f))) {
    EXPECT_FALSE(packet.empty());
  }
}

TEST(OpusCodecTest, MalformedPacketsAreErrorsAndLeaveTheDecoderIntact) {
  auto encoder = OpusSpeechEncoder::Create(OpusEncoderOptions(16000, 24000));
  ASSERT_TRUE(encoder.ok());
  const auto packets = EncodeAll(encoder->get(), SyntheticSpeech(16000, 1.0));

  // A 10 ms packet from a plain libopus encoder.
  int error = 0;
  OpusEncoder* raw = opus_encoder_create(16000, 1, OPUS_APPLICATION_VOIP, &error);
  ASSERT_EQ(error, OPUS_OK);
  std::vector<float> silence(160, 0.0f);
  std::vector<uint8_t> ten_ms(1275);
  ten_ms.resize(
      static_cast<size_t>(opus_encode_float(raw, silence.data(), 160, ten_ms.data(), 1275)));
  opus_encoder_destroy(raw);

  const std::vector<std::vector<uint8_t>> bad = {
      {0x03, 0x00},                      // code 3 with a frame count of zero (RFC 6716 s3.2.5)
      {0x03},                            // code 3 without its count byte
      {0x01, 0xFF},                      // code 1: two frames of odd total length
      std::vector<uint8_t>(1276, 0x08),  // over the 1275-byte limit
      ten_ms,
      {0x0B, 0xFE, 0xFF, 0xFF},  // code 3 claiming 63 frames of 20 ms
  };
  auto clean = OpusSpeechDecoder::Create(OpusDecoderOptions(16000));
  auto poked = OpusSpeechDecoder::Create(OpusDecoderOptions(16000));
  ASSERT_TRUE(clean.ok() && poked.ok());
  std::vector<float> clean_frame, poked_frame, untouched;
  for (size_t f = 0; f < packets.size(); ++f) {
    if (f % 5 == 2) {
      for (const auto& packet : bad) {
        untouched = poked_frame;
        Status status = (*poked)->Decode(packet, &poked_frame);
        EXPECT_FALSE(status.ok()) << "packet of " << packet.size() << " bytes";
        EXPECT_EQ(status.message().rfind("opus decoder: ", 0), 0u) << status.message();
        EXPECT_EQ(poked_frame, untouched);
      }
    }
    ASSERT_TRUE((*clean)->Decode(packets[f], &clean_frame).ok());
    ASSERT_TRUE((*poked)->Decode(packets[f], &poked_frame).ok());
    ASSERT_EQ(clean_frame, poked_frame) << "frame " << f;
  }
}

TEST(OpusCodecTest, GarbageNeverCrashes) {
  auto decoder = OpusSpeechDecoder::Create(OpusDecoderOptions(44100));
  ASSERT_TRUE(decoder.ok());
  std::mt19937 rng(42);
  std::vector<float> frame;
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> packet(1 + rng() % 200);
    for (uint8_t& b : packet) b = static_cast<uint8_t>(rng());
    if ((*decoder)->Decode(packet, &frame).ok()) {
      ASSERT_EQ(frame.size(), 882u);
    }
    if (i % 7 == 0) {
      (*decoder)->Conceal(packet, &frame);
      ASSERT_EQ(frame.size(), 882u);
    }
  }
}

TEST(OpusCodecTest, ConcealBeforeAnyPacketGivesQuietFrames) {
  auto decoder = OpusSpeechDecoder::Create(OpusDecoderOptions(48000));
  ASSERT_TRUE(decoder.ok());
  std::vector<float> frame;
  for (int i = 0; i < 5; ++i) {
    (*decoder)->Conceal({}, &frame);
    ASSERT_EQ(frame.size(), 960u);
    for (float v : frame) EXPECT_LT(std::fabs(v), 1e-3f);
  }
}

}  // namespace
}  // namespace auralink::speech

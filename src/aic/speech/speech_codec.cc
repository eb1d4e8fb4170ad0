#include "aic/speech/speech_codec.h"

#include <map>
#include <mutex>

#include "aic/speech/opus_codec.h"
#include "aic/speech/soundstream_codec.h"

namespace auralink::speech {
namespace {

// One validated copy of the weights per directory, shared by every codec instance in the process.
StatusOr<std::shared_ptr<const SoundStreamModels>> LoadSharedModels(const std::string& directory) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<const SoundStreamModels>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto cached = cache[directory].lock()) return cached;
  auto models = SoundStreamModels::Load(directory);
  if (!models.ok()) return models.status();
  cache[directory] = *models;
  return *models;
}

}  // namespace

const char* CodecName(CodecType codec) {
  switch (codec) {
    case CodecType::kSoundStream: return "soundstream";
    case CodecType::kOpus: return "opus";
  }
  return "unknown";
}

std::optional<CodecType> ParseCodecName(std::string_view name) {
  if (name == "soundstream") return CodecType::kSoundStream;
  if (name == "opus") return CodecType::kOpus;
  return std::nullopt;
}

bool IsSupportedSampleRate(int sample_rate_hz) {
  switch (sample_rate_hz) {
    case 8000:
    case 16000:
    case 32000:
    case 44100:
    case 48000:
      return true;
    default:
      return false;
  }
}

StatusOr<std::unique_ptr<SpeechEncoder>> CreateSpeechEncoder(const EncoderOptions& options) {
  switch (options.codec) {
    case CodecType::kSoundStream: {
      auto models = LoadSharedModels(options.model_directory);
      if (!models.ok()) return models.status();
      auto encoder = SoundStreamEncoder::Create(options, *models);
      if (!encoder.ok()) return encoder.status();
      return std::unique_ptr<SpeechEncoder>(std::move(*encoder));
    }
    case CodecType::kOpus: {
      auto encoder = OpusSpeechEncoder::Create(options);
      if (!encoder.ok()) return encoder.status();
      return std::unique_ptr<SpeechEncoder>(std::move(*encoder));
    }
  }
  return Status::Error("unknown codec");
}

StatusOr<std::unique_ptr<SpeechDecoder>> CreateSpeechDecoder(const DecoderOptions& options) {
  switch (options.codec) {
    case CodecType::kSoundStream: {
      auto models = LoadSharedModels(options.model_directory);
      if (!models.ok()) return models.status();
      auto decoder = SoundStreamDecoder::Create(options, *models);
      if (!decoder.ok()) return decoder.status();
      return std::unique_ptr<SpeechDecoder>(std::move(*decoder));
    }
    case CodecType::kOpus: {
      auto decoder = OpusSpeechDecoder::Create(options);
      if (!decoder.ok()) return decoder.status();
      return std::unique_ptr<SpeechDecoder>(std::move(*decoder));
    }
  }
  return Status::Error("unknown codec");
}

}  // namespace auralink::speech

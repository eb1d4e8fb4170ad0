#include "audio/audio_file.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include "common/whole_file.h"

namespace auralink::audio {
namespace {

constexpr int kMaxChannels = 8;

uint32_t ReadLe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

void AppendLe16(std::vector<uint8_t>* out, uint16_t v) {
  out->push_back(static_cast<uint8_t>(v));
  out->push_back(static_cast<uint8_t>(v >> 8));
}

void AppendLe32(std::vector<uint8_t>* out, uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8) out->push_back(static_cast<uint8_t>(v >> shift));
}

void AppendTag(std::vector<uint8_t>* out, const char (&tag)[5]) {
  out->insert(out->end(), tag, tag + 4);
}

bool StartsWith(std::span<const uint8_t> bytes, size_t offset, const char* tag) {
  const size_t n = std::strlen(tag);
  return bytes.size() >= offset + n && std::memcmp(bytes.data() + offset, tag, n) == 0;
}

// libsndfile trusts a RIFF file whose data chunk is cut short (it reads what is there), so the
// chunk sizes are checked here first. A declared size of 0 or 0xFFFFFFFF is how streaming writers
// leave it unknown, which is allowed.
Status CheckRiffDataChunk(std::span<const uint8_t> bytes) {
  size_t offset = 12;
  while (offset + 8 <= bytes.size()) {
    const uint32_t chunk_size = ReadLe32(bytes.data() + offset + 4);
    const size_t available = bytes.size() - offset - 8;
    if (StartsWith(bytes, offset, "data")) {
      if (chunk_size != 0 && chunk_size != 0xFFFFFFFFu && chunk_size > available) {
        return Status::Error("truncated (the data chunk declares " + std::to_string(chunk_size) +
                             " bytes, " + std::to_string(available) + " follow)");
      }
      return Status::Ok();
    }
    const size_t padded = static_cast<size_t>(chunk_size) + (chunk_size & 1u);
    if (padded > available) break;
    offset += 8 + padded;
  }
  return Status::Ok();  // no data chunk found by this walk: libsndfile gives the reason
}

struct MemoryFile {
  std::span<const uint8_t> bytes;
  sf_count_t position = 0;
};

sf_count_t MemoryLength(void* user) {
  return static_cast<sf_count_t>(static_cast<MemoryFile*>(user)->bytes.size());
}

sf_count_t MemorySeek(sf_count_t offset, int whence, void* user) {
  auto* file = static_cast<MemoryFile*>(user);
  const sf_count_t size = static_cast<sf_count_t>(file->bytes.size());
  sf_count_t base = 0;
  if (whence == SEEK_CUR) base = file->position;
  if (whence == SEEK_END) base = size;
  // Clamp instead of overflowing on hostile offsets; libsndfile sees a short read later.
  if (offset > 0 && base > std::numeric_limits<sf_count_t>::max() - offset) return -1;
  const sf_count_t target = base + offset;
  if (target < 0) return -1;
  file->position = std::min(target, size);
  return file->position;
}

sf_count_t MemoryRead(void* destination, sf_count_t count, void* user) {
  auto* file = static_cast<MemoryFile*>(user);
  const sf_count_t size = static_cast<sf_count_t>(file->bytes.size());
  if (count <= 0 || file->position >= size) return 0;
  const sf_count_t n = std::min(count, size - file->position);
  std::memcpy(destination, file->bytes.data() + file->position, static_cast<size_t>(n));
  file->position += n;
  return n;
}

sf_count_t MemoryWrite(const void*, sf_count_t, void*) { return 0; }

sf_count_t MemoryTell(void* user) { return static_cast<MemoryFile*>(user)->position; }

struct SndfileCloser {
  void operator()(SNDFILE* file) const { sf_close(file); }
};

bool IsAcceptedEncoding(int major, int subtype) {
  switch (subtype) {
    case SF_FORMAT_PCM_16:
    case SF_FORMAT_PCM_24:
      return true;
    case SF_FORMAT_PCM_S8:
      return major == SF_FORMAT_FLAC;
    case SF_FORMAT_PCM_U8:
    case SF_FORMAT_PCM_32:
    case SF_FORMAT_FLOAT:
    case SF_FORMAT_DOUBLE:
      return major != SF_FORMAT_FLAC;
    default:
      return false;
  }
}

std::string SubtypeName(int format) {
  SF_FORMAT_INFO info{};
  info.format = format & SF_FORMAT_SUBMASK;
  if (sf_command(nullptr, SFC_GET_FORMAT_INFO, &info, sizeof(info)) == 0 && info.name != nullptr) {
    return info.name;
  }
  return "encoding 0x" + std::to_string(format & SF_FORMAT_SUBMASK);
}

// Decodes WAV/FLAC bytes; error messages are not yet prefixed with the file name.
StatusOr<AudioBuffer> DecodeAudio(std::span<const uint8_t> bytes) {
  const bool riff = (StartsWith(bytes, 0, "RIFF") || StartsWith(bytes, 0, "RF64")) &&
                    StartsWith(bytes, 8, "WAVE");
  const bool flac = StartsWith(bytes, 0, "fLaC") || StartsWith(bytes, 0, "ID3");
  if (!riff && !flac) {
    return Status::Error("truncated or not a WAV/FLAC file (no RIFF/WAVE or fLaC header)");
  }
  if (StartsWith(bytes, 0, "RIFF")) AURALINK_RETURN_IF_ERROR(CheckRiffDataChunk(bytes));

  MemoryFile memory{bytes, 0};
  SF_VIRTUAL_IO io{MemoryLength, MemorySeek, MemoryRead, MemoryWrite, MemoryTell};
  SF_INFO info{};
  std::unique_ptr<SNDFILE, SndfileCloser> file(sf_open_virtual(&io, SFM_READ, &info, &memory));
  if (!file) {
    return Status::Error(std::string("truncated or not a WAV/FLAC file (") + sf_strerror(nullptr) +
                         ")");
  }
  const int major = info.format & SF_FORMAT_TYPEMASK;
  const int subtype = info.format & SF_FORMAT_SUBMASK;
  if (major != SF_FORMAT_WAV && major != SF_FORMAT_WAVEX && major != SF_FORMAT_RF64 &&
      major != SF_FORMAT_FLAC) {
    return Status::Error("not a WAV/FLAC file");
  }
  if (!IsAcceptedEncoding(major, subtype)) {
    return Status::Error("unsupported encoding " + SubtypeName(info.format) +
                         " (PCM 8/16/24/32-bit or float only)");
  }
  if (info.channels < 1 || info.channels > kMaxChannels) {
    return Status::Error("unsupported channel count " + std::to_string(info.channels) + " (1 to " +
                         std::to_string(kMaxChannels) + ")");
  }
  if (info.samplerate <= 0) {
    return Status::Error("invalid sample rate " + std::to_string(info.samplerate) + " Hz");
  }
  if (info.frames <= 0) return Status::Error("holds no audio");

  AudioBuffer audio;
  audio.sample_rate_hz = info.samplerate;
  audio.channels = info.channels;
  // The header's frame count is outside data: reserve no more than the bytes could hold (FLAC
  // compresses, so this is only a hint).
  const sf_count_t plausible_frames =
      std::min<sf_count_t>(info.frames, static_cast<sf_count_t>(bytes.size()));
  audio.samples.reserve(static_cast<size_t>(plausible_frames) * static_cast<size_t>(info.channels));
  constexpr sf_count_t kChunkFrames = 4096;
  std::vector<float> chunk(static_cast<size_t>(kChunkFrames * info.channels));
  sf_count_t frames_read = 0;
  while (frames_read < info.frames) {
    const sf_count_t want = std::min(kChunkFrames, info.frames - frames_read);
    const sf_count_t got = sf_readf_float(file.get(), chunk.data(), want);
    if (got <= 0) break;
    audio.samples.insert(audio.samples.end(), chunk.begin(),
                         chunk.begin() + static_cast<std::ptrdiff_t>(got * info.channels));
    frames_read += got;
  }
  if (sf_error(file.get()) != SF_ERR_NO_ERROR) {
    return Status::Error(std::string("truncated or not a WAV/FLAC file (") +
                         sf_strerror(file.get()) + ")");
  }
  if (frames_read < info.frames) {
    return Status::Error("truncated (the header declares " + std::to_string(info.frames) +
                         " frames, " + std::to_string(frames_read) + " could be read)");
  }
  for (float& sample : audio.samples) {
    sample = std::isfinite(sample) ? std::clamp(sample, -1.0f, 1.0f) : 0.0f;
  }
  return audio;
}

}  // namespace

StatusOr<AudioBuffer> ReadAudioFile(const std::string& path) {
  StatusOr<std::vector<uint8_t>> bytes = ReadWholeFile(path);
  if (!bytes.ok()) return bytes.status();
  StatusOr<AudioBuffer> audio = DecodeAudio(*bytes);
  if (!audio.ok()) return audio.status().WithContext(path);
  return audio;
}

StatusOr<AudioBuffer> ReadAudioFromMemory(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return Status::Error("audio data: empty file");
  StatusOr<AudioBuffer> audio = DecodeAudio(bytes);
  if (!audio.ok()) return audio.status().WithContext("audio data");
  return audio;
}

StatusOr<std::vector<uint8_t>> EncodeWav16(const AudioBuffer& audio) {
  if (audio.channels < 1 || audio.channels > 65535) {
    return Status::Error("cannot write WAV: invalid channel count " +
                         std::to_string(audio.channels));
  }
  if (audio.sample_rate_hz <= 0) {
    return Status::Error("cannot write WAV: invalid sample rate " +
                         std::to_string(audio.sample_rate_hz) + " Hz");
  }
  if (audio.samples.size() % static_cast<size_t>(audio.channels) != 0) {
    return Status::Error("cannot write WAV: " + std::to_string(audio.samples.size()) +
                         " samples is not a whole number of " + std::to_string(audio.channels) +
                         "-channel frames");
  }
  constexpr size_t kHeaderBytes = 44;
  const uint64_t data_bytes = uint64_t{2} * audio.samples.size();
  if (data_bytes > 0xFFFFFFFFu - kHeaderBytes) {
    return Status::Error("cannot write WAV: over 4 GiB of audio");
  }
  const uint32_t block_align = 2u * static_cast<uint32_t>(audio.channels);
  std::vector<uint8_t> out;
  out.reserve(kHeaderBytes + data_bytes);
  AppendTag(&out, "RIFF");
  AppendLe32(&out, static_cast<uint32_t>(36 + data_bytes));
  AppendTag(&out, "WAVE");
  AppendTag(&out, "fmt ");
  AppendLe32(&out, 16);
  AppendLe16(&out, 1);  // WAVE_FORMAT_PCM
  AppendLe16(&out, static_cast<uint16_t>(audio.channels));
  AppendLe32(&out, static_cast<uint32_t>(audio.sample_rate_hz));
  AppendLe32(&out, static_cast<uint32_t>(audio.sample_rate_hz) * block_align);
  AppendLe16(&out, static_cast<uint16_t>(block_align));
  AppendLe16(&out, 16);
  AppendTag(&out, "data");
  AppendLe32(&out, static_cast<uint32_t>(data_bytes));
  for (float sample : audio.samples) {
    // x * 32768 matches how libsndfile (and most readers) scale 16-bit PCM back to float.
    const float scaled = std::isfinite(sample) ? sample * 32768.0f : 0.0f;
    const long rounded = std::lround(std::clamp(scaled, -32768.0f, 32767.0f));
    AppendLe16(&out, static_cast<uint16_t>(static_cast<int16_t>(rounded)));
  }
  return out;
}

Status WriteWavFile(const std::string& path, const AudioBuffer& audio) {
  StatusOr<std::vector<uint8_t>> bytes = EncodeWav16(audio);
  if (!bytes.ok()) return bytes.status().WithContext(path);
  return WriteWholeFileAtomically(path, *bytes);
}

}  // namespace auralink::audio

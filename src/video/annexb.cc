#include "video/annexb.h"

#include <algorithm>
#include <optional>

namespace auralink::video {
namespace {

constexpr size_t kReadChunk = 1 << 16;
// Larger NAL units or access units are refused as corrupt (a 16384x16384 I_PCM picture is ~400 MB
// of samples; nothing real-time comes near this).
constexpr size_t kMaxNalUnitBytes = 64u << 20;
constexpr size_t kMaxAccessUnitBytes = 256u << 20;

int NalType(const std::vector<uint8_t>& payload) { return payload.empty() ? 0 : payload[0] & 0x1f; }

bool IsVcl(int type) { return type >= 1 && type <= 5; }

// Reads the RBSP bits of a NAL unit, dropping emulation prevention bytes (00 00 03, s7.4.1).
class RbspBitReader {
 public:
  explicit RbspBitReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  std::optional<int> ReadBit() {
    if (bit_ == 0) {
      if (index_ >= bytes_.size()) return std::nullopt;
      if (zeros_ >= 2 && bytes_[index_] == 3) {
        ++index_;
        zeros_ = 0;
        if (index_ >= bytes_.size()) return std::nullopt;
      }
      current_ = bytes_[index_++];
      zeros_ = current_ == 0 ? zeros_ + 1 : 0;
      bit_ = 8;
    }
    --bit_;
    return (current_ >> bit_) & 1;
  }

  // ue(v), Exp-Golomb (s9.1); nullopt past the end or beyond 32 leading zeros.
  std::optional<uint32_t> ReadUnsignedExpGolomb() {
    int leading_zeros = 0;
    while (true) {
      const auto bit = ReadBit();
      if (!bit) return std::nullopt;
      if (*bit == 1) break;
      if (++leading_zeros > 31) return std::nullopt;
    }
    uint64_t suffix = 0;
    for (int i = 0; i < leading_zeros; ++i) {
      const auto bit = ReadBit();
      if (!bit) return std::nullopt;
      suffix = suffix << 1 | static_cast<uint64_t>(*bit);
    }
    return static_cast<uint32_t>((uint64_t{1} << leading_zeros) - 1 + suffix);
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t index_ = 0;
  int zeros_ = 0;
  uint8_t current_ = 0;
  int bit_ = 0;
};

// A slice with first_mb_in_slice == 0 is the first slice of a new primary coded picture; this is
// the practical form of s7.4.1.2.4 for streams without arbitrary slice order. A slice header that
// cannot be read counts as a new picture and is left to the decoder to reject.
bool BeginsPicture(const std::vector<uint8_t>& payload) {
  const int type = NalType(payload);
  if (type == 3 || type == 4) return false;  // data partitions B and C carry no first_mb_in_slice
  RbspBitReader reader(std::span<const uint8_t>(payload).subspan(1));
  const auto first_mb = reader.ReadUnsignedExpGolomb();
  return !first_mb || *first_mb == 0;
}

// After a VCL NAL unit of the current picture, these begin the next access unit (s7.4.1.2.3).
bool BeginsAccessUnitAfterPicture(int type) {
  return type == 6 || type == 7 || type == 8 || type == 9 || (type >= 15 && type <= 18);
}

void AppendNalUnit(bool long_start_code, std::span<const uint8_t> payload,
                   std::vector<uint8_t>* out) {
  static constexpr uint8_t kLong[] = {0, 0, 0, 1};
  const size_t skip = long_start_code ? 0 : 1;
  out->insert(out->end(), kLong + skip, kLong + 4);
  out->insert(out->end(), payload.begin(), payload.end());
}

}  // namespace

std::vector<std::span<const uint8_t>> SplitAnnexBNalUnits(std::span<const uint8_t> stream) {
  std::vector<std::span<const uint8_t>> units;
  // Offsets just past each 00 00 01.
  std::vector<size_t> starts;
  for (size_t i = 2; i < stream.size(); ++i) {
    if (stream[i] == 1 && stream[i - 1] == 0 && stream[i - 2] == 0) starts.push_back(i + 1);
  }
  for (size_t n = 0; n < starts.size(); ++n) {
    size_t end = n + 1 < starts.size() ? starts[n + 1] - 3 : stream.size();
    while (end > starts[n] && stream[end - 1] == 0) --end;
    if (end > starts[n]) units.push_back(stream.subspan(starts[n], end - starts[n]));
  }
  return units;
}

Status AnnexBReader::Fail(const std::string& message) const {
  return Status::Error(source_->name() + ": " + message);
}

StatusOr<std::unique_ptr<AnnexBReader>> AnnexBReader::Create(const std::string& path) {
  auto source = ByteSource::OpenFile(path);
  if (!source.ok()) return source.status();
  return Open(std::move(*source));
}

StatusOr<std::unique_ptr<AnnexBReader>> AnnexBReader::CreateFromMemory(std::vector<uint8_t> bytes,
                                                                       std::string name) {
  return Open(ByteSource::FromMemory(std::move(bytes), std::move(name)));
}

StatusOr<std::unique_ptr<AnnexBReader>> AnnexBReader::Open(std::unique_ptr<ByteSource> source) {
  std::unique_ptr<AnnexBReader> reader(new AnnexBReader(std::move(source)));
  AURALINK_RETURN_IF_ERROR(reader->FindFirstStartCode());
  return reader;
}

StatusOr<bool> AnnexBReader::Refill() {
  if (end_of_data_) return false;
  if (begin_ > kReadChunk) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(begin_));
    begin_ = 0;
  }
  const size_t old_size = buffer_.size();
  buffer_.resize(old_size + kReadChunk);
  auto got = source_->Read(buffer_.data() + old_size, kReadChunk);
  if (!got.ok()) return got.status();
  buffer_.resize(old_size + *got);
  if (*got < kReadChunk) end_of_data_ = true;
  return *got > 0;
}

Status AnnexBReader::FindFirstStartCode() {
  // The stream may open with zero bytes (leading_zero_8bits, B.1.1) and then a start code.
  size_t zeros = 0;
  while (true) {
    if (begin_ >= buffer_.size()) {
      auto more = Refill();
      if (!more.ok()) return more.status();
      if (!*more) {
        return Fail(buffer_.empty() ? "empty file" : "not an H.264 Annex-B stream (no start code)");
      }
    }
    const uint8_t byte = buffer_[begin_++];
    if (byte == 0) {
      ++zeros;
    } else if (byte == 1 && zeros >= 2) {
      next_long_start_code_ = zeros >= 3;
      return Status::Ok();
    } else {
      return Fail("not an H.264 Annex-B stream (no start code)");
    }
  }
}

StatusOr<bool> AnnexBReader::ReadNalUnit(NalUnit* nal) {
  size_t scan = begin_;
  while (true) {
    // Looks for the next 00 00 01 at or after `scan`.
    size_t found = buffer_.size();
    for (size_t i = std::max(scan, begin_ + 2); i < buffer_.size(); ++i) {
      if (buffer_[i] == 1 && buffer_[i - 1] == 0 && buffer_[i - 2] == 0) {
        found = i - 2;
        break;
      }
    }
    if (found < buffer_.size() || end_of_data_) {
      size_t end = found;
      while (end > begin_ && buffer_[end - 1] == 0) --end;
      const bool long_start_code = next_long_start_code_;
      const bool at_end = found >= buffer_.size();
      nal->payload.assign(buffer_.begin() + static_cast<std::ptrdiff_t>(begin_),
                          buffer_.begin() + static_cast<std::ptrdiff_t>(end));
      nal->long_start_code = long_start_code;
      next_long_start_code_ = end < found;
      begin_ = at_end ? buffer_.size() : found + 3;
      if (nal->payload.empty()) {
        if (at_end) return false;
        scan = begin_;
        continue;  // an empty NAL unit (two start codes in a row) carries nothing
      }
      ++nal_units_read_;
      return true;
    }
    if (buffer_.size() - begin_ > kMaxNalUnitBytes) {
      return Fail("NAL unit " + std::to_string(nal_units_read_) + " is larger than " +
                  std::to_string(kMaxNalUnitBytes >> 20) + " MiB (corrupt)");
    }
    scan = std::max(begin_, buffer_.size() >= 2 ? buffer_.size() - 2 : size_t{0});
    const size_t old_begin = begin_;
    auto more = Refill();
    if (!more.ok()) return more.status();
    scan -= old_begin - begin_;  // Refill() may have moved the data to the front
  }
}

StatusOr<bool> AnnexBReader::ReadAccessUnit(std::vector<uint8_t>* access_unit) {
  std::vector<NalUnit> nal_units = std::move(carried_);
  carried_.clear();
  bool has_picture = std::any_of(nal_units.begin(), nal_units.end(),
                                 [](const NalUnit& nal) { return IsVcl(NalType(nal.payload)); });
  // A prefix NAL unit (type 14) belongs with the slice after it, so it is held until that slice
  // shows whether a new picture begins.
  std::optional<NalUnit> held_prefix;
  size_t total = 0;
  while (true) {
    NalUnit nal;
    auto got = ReadNalUnit(&nal);
    if (!got.ok()) return got.status();
    if (!*got) break;
    if (nal.payload[0] & 0x80) {
      return Fail("NAL unit " + std::to_string(nal_units_read_ - 1) +
                  ": forbidden_zero_bit is set (corrupt or not H.264)");
    }
    const int type = NalType(nal.payload);
    if (has_picture && type == static_cast<int>(H264NalType::kPrefix) && !held_prefix) {
      held_prefix = std::move(nal);
      continue;
    }
    const bool begins_next = has_picture && (BeginsAccessUnitAfterPicture(type) ||
                                             (IsVcl(type) && BeginsPicture(nal.payload)));
    if (begins_next) {
      if (held_prefix) carried_.push_back(std::move(*held_prefix));
      carried_.push_back(std::move(nal));
      break;
    }
    if (held_prefix) {
      total += held_prefix->payload.size();
      nal_units.push_back(std::move(*held_prefix));
      held_prefix.reset();
    }
    total += nal.payload.size();
    if (total > kMaxAccessUnitBytes) {
      return Fail("access unit " + std::to_string(access_units_read_) + " is larger than " +
                  std::to_string(kMaxAccessUnitBytes >> 20) + " MiB (corrupt)");
    }
    has_picture = has_picture || IsVcl(type);
    nal_units.push_back(std::move(nal));
    if (has_picture && (type == static_cast<int>(H264NalType::kEndOfSequence) ||
                        type == static_cast<int>(H264NalType::kEndOfStream))) {
      break;
    }
  }
  if (held_prefix) nal_units.push_back(std::move(*held_prefix));
  if (nal_units.empty()) return false;
  access_unit->clear();
  for (const NalUnit& nal : nal_units) {
    AppendNalUnit(nal.long_start_code, nal.payload, access_unit);
  }
  ++access_units_read_;
  return true;
}

StatusOr<std::unique_ptr<AnnexBWriter>> AnnexBWriter::Create(const std::string& path) {
  auto file = AtomicFileWriter::Create(path);
  if (!file.ok()) return file.status();
  return std::unique_ptr<AnnexBWriter>(new AnnexBWriter(std::move(*file)));
}

Status AnnexBWriter::WriteAccessUnit(std::span<const uint8_t> access_unit) {
  const bool short_code =
      access_unit.size() >= 3 && access_unit[0] == 0 && access_unit[1] == 0 && access_unit[2] == 1;
  const bool long_code = access_unit.size() >= 4 && access_unit[0] == 0 && access_unit[1] == 0 &&
                         access_unit[2] == 0 && access_unit[3] == 1;
  if (!short_code && !long_code) {
    return Status::Error(file_->path() + ": access unit does not begin with a start code");
  }
  return file_->Append(access_unit);
}

Status AnnexBWriter::Close() { return file_->Commit(); }

}  // namespace auralink::video

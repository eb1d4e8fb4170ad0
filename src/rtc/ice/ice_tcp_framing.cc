#include "rtc/ice/ice_tcp_framing.h"

#include <algorithm>
#include <string>

namespace auralink::rtc {

IceTcpFrameDecoder::IceTcpFrameDecoder(size_t max_frame_size)
    : max_frame_size_(std::min(max_frame_size, kIceTcpMaxFrameSize)) {}

Status IceTcpFrameDecoder::Feed(std::span<const uint8_t> bytes) {
  if (failed_) return Status::Error("ICE-TCP stream already failed");
  // Drop consumed bytes before growing, so the buffer stays near one frame plus one chunk.
  if (read_offset_ > 0) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(read_offset_));
    scan_offset_ -= read_offset_;
    read_offset_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  // Check every complete length prefix now so an oversized frame fails early, before its body
  // is buffered.
  size_t& offset = scan_offset_;
  while (buffer_.size() - offset >= 2) {
    const size_t length = (size_t{buffer_[offset]} << 8) | buffer_[offset + 1];
    if (length > max_frame_size_) {
      failed_ = true;
      return Status::Error("ICE-TCP frame of " + std::to_string(length) + " bytes exceeds " +
                           std::to_string(max_frame_size_));
    }
    if (buffer_.size() - offset - 2 < length) break;
    offset += 2 + length;
  }
  return Status::Ok();
}

std::optional<std::span<const uint8_t>> IceTcpFrameDecoder::NextFrame() {
  while (!failed_ && buffer_.size() - read_offset_ >= 2) {
    const size_t length = (size_t{buffer_[read_offset_]} << 8) | buffer_[read_offset_ + 1];
    if (buffer_.size() - read_offset_ - 2 < length) return std::nullopt;
    const size_t start = read_offset_ + 2;
    read_offset_ = start + length;
    if (length == 0) continue;
    return std::span<const uint8_t>(buffer_.data() + start, length);
  }
  return std::nullopt;
}

Status AppendIceTcpFrame(std::span<const uint8_t> payload, std::vector<uint8_t>* out) {
  if (payload.size() > kIceTcpMaxFrameSize) {
    return Status::Error("ICE-TCP payload of " + std::to_string(payload.size()) +
                         " bytes does not fit a 16-bit length");
  }
  out->push_back(static_cast<uint8_t>(payload.size() >> 8));
  out->push_back(static_cast<uint8_t>(payload.size()));
  out->insert(out->end(), payload.begin(), payload.end());
  return Status::Ok();
}

}  // namespace auralink::rtc

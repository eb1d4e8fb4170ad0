// The receiver's record of recently accepted packet indices (RFC 3711 §3.3.2).
#pragma once

#include <cstdint>
#include <vector>

namespace auralink::rtc {

class SrtpReplayWindow {
 public:
  enum class Verdict { kNew, kReplayed, kTooOld };

  // `size` packets behind the newest are remembered; rounded up to a power of two (at least 64),
  // so finding an index's bit is a mask rather than a division on every packet.
  explicit SrtpReplayWindow(uint32_t size);
  static constexpr uint32_t kMaxSize = 1u << 16;

  Verdict Check(uint64_t index) const;
  // Records an index that passed Check() and authentication.
  void Accept(uint64_t index);

  bool empty() const { return empty_; }
  uint64_t newest() const { return newest_; }

 private:
  bool Seen(uint64_t index) const;
  void Set(uint64_t index, bool seen);

  // Bit (index mod size) is set when that index was accepted; a ring, so advancing by one
  // packet touches one bit instead of shifting the whole window.
  std::vector<uint64_t> bits_;
  uint64_t size_;
  uint64_t newest_ = 0;
  bool empty_ = true;
};

}  // namespace auralink::rtc

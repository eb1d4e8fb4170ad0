// Fuzzes the video RTP payload parsers (src/rtc/codecs): the first byte picks the format, the
// rest is the payload. Every input must parse or give a one-line error, never crash or read out
// of bounds; what parses must be self-consistent, and VP8 rewriting must keep the descriptor.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

#include "rtc/codecs/av1_payload.h"
#include "rtc/codecs/dependency_descriptor.h"
#include "rtc/codecs/h264_payload.h"
#include "rtc/codecs/vp8_payload_descriptor.h"
#include "rtc/codecs/vp9_payload_descriptor.h"

namespace {

using namespace auralink::rtc;  // NOLINT: a fuzz target touching every parser of the folder

template <typename T>
void RequireMessage(const auralink::StatusOr<T>& result) {
  if (!result.ok() && result.status().message().empty()) std::abort();
}

void FuzzVp8(std::span<const uint8_t> payload) {
  auto d = Vp8PayloadDescriptor::Parse(payload);
  RequireMessage(d);
  if (!d.ok()) return;
  if (d->descriptor_size > payload.size() || (d->key_frame && !d->start_of_frame)) std::abort();
  std::vector<uint8_t> copy(payload.begin(), payload.end());
  if (!Vp8PayloadDescriptor::Rewrite(copy, uint16_t{0x7FFF}, uint8_t{0xAB}).ok()) std::abort();
  auto again = Vp8PayloadDescriptor::Parse(copy);
  if (!again.ok() || again->descriptor_size != d->descriptor_size) std::abort();
  if (d->picture_id && again->picture_id != (d->picture_id_15_bit ? 0x7FFF : 0x7F)) std::abort();
  if (d->tl0_pic_idx && again->tl0_pic_idx != 0xAB) std::abort();
}

void FuzzVp9(std::span<const uint8_t> payload) {
  auto d = Vp9PayloadDescriptor::Parse(payload);
  RequireMessage(d);
  if (d.ok() && (d->descriptor_size > payload.size() || d->reference_count > 3)) std::abort();
}

void FuzzH264(std::span<const uint8_t> payload) {
  auto p = H264Payload::Parse(payload);
  RequireMessage(p);
  if (p.ok() && p->nal_unit_count < 1) std::abort();
}

void FuzzAv1(std::span<const uint8_t> payload) {
  auto p = Av1Payload::Parse(payload);
  RequireMessage(p);
  if (p.ok() &&
      (p->obu_element_count < 1 || static_cast<size_t>(p->obu_element_count) > payload.size())) {
    std::abort();
  }
}

// Two descriptors from one input: the first may carry a structure the second resolves through.
void FuzzDependencyDescriptor(std::span<const uint8_t> data) {
  if (data.empty()) return;
  const size_t split = std::min<size_t>(data[0], data.size() - 1);
  const auto first = data.subspan(1, split);
  const auto second = data.subspan(1 + split);
  auto a = DependencyDescriptor::Parse(first, nullptr);
  RequireMessage(a);
  std::shared_ptr<const FrameDependencyStructure> structure;
  if (a.ok()) {
    if (a->decode_target_count > kMaxDecodeTargets || a->frame_diff_count > kMaxFrameDiffs) {
      std::abort();
    }
    structure = a->attached_structure;
  }
  auto b = DependencyDescriptor::Parse(second, structure.get());
  RequireMessage(b);
  if (b.ok() && structure && b->attached_structure == nullptr &&
      b->decode_target_count != structure->decode_target_count) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::span<const uint8_t> payload(data + 1, size - 1);
  switch (data[0] % 5) {
    case 0:
      FuzzVp8(payload);
      break;
    case 1:
      FuzzVp9(payload);
      break;
    case 2:
      FuzzH264(payload);
      break;
    case 3:
      FuzzAv1(payload);
      break;
    default:
      FuzzDependencyDescriptor(payload);
      break;
  }
  return 0;
}

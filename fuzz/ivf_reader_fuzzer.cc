// Fuzzes the IVF reader (src/video/ivf.h) over bytes in memory: any input must give frames or a
// one-line error, never a crash, a hang or an allocation the input does not pay for.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "video/ivf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader =
      auralink::video::IvfReader::CreateFromMemory(std::vector<uint8_t>(data, data + size));
  if (!reader.ok()) {
    if (reader.status().message().empty()) std::abort();
    return 0;
  }
  auralink::video::IvfFrame frame;
  size_t total = 0;
  while (true) {
    auto more = (*reader)->ReadFrame(&frame);
    if (!more.ok() || !*more) break;
    total += frame.data.size() + auralink::video::kIvfFrameHeaderBytes;
    // Every payload byte came from the input.
    if (total + auralink::video::kIvfFileHeaderBytes > size) std::abort();
  }
  return 0;
}

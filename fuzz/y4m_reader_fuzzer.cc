// Fuzzes the YUV4MPEG2 reader (src/video/y4m.h) over bytes in memory: any input must give frames
// or a one-line error, never a crash, a hang or an allocation the input does not pay for.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "video/y4m.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader =
      auralink::video::Y4mReader::CreateFromMemory(std::vector<uint8_t>(data, data + size));
  if (!reader.ok()) {
    if (reader.status().message().empty()) std::abort();
    return 0;
  }
  const auto& header = (*reader)->header();
  if (header.width < 1 || header.height < 1 || header.fps_numerator < 1) std::abort();
  auralink::video::VideoFrame frame;
  for (int i = 0; i < 64; ++i) {
    auto more = (*reader)->ReadFrame(&frame);
    if (!more.ok() || !*more) break;
    if (frame.width != header.width || frame.height != header.height ||
        frame.data.size() != auralink::video::VideoFrame::BufferSize(frame.width, frame.height) ||
        frame.pts != i) {
      std::abort();
    }
  }
  return 0;
}

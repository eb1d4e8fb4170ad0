// Fuzzes the .aus parser (docs/aus-format.md): any bytes must parse or fail with an error, never
// crash, and whatever parses must serialise back to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "audio/aus_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  auto stream = auralink::audio::ParseAus(bytes);
  if (!stream.ok()) return 0;
  auto serialised = auralink::audio::SerializeAus(*stream);
  if (!serialised.ok()) std::abort();
  if (serialised->size() != size) std::abort();
  // Reserved header bytes 13-15 are ignored on reading and written as zero.
  for (size_t i = 0; i < size; ++i) {
    const bool reserved = i >= 13 && i <= 15;
    if ((*serialised)[i] != (reserved ? 0 : data[i])) std::abort();
  }
  return 0;
}

// Fuzzes the SDP parser and writer (src/rtc/sdp/session_description.h): any text must parse or
// give a one-line error, and whatever parses must write text that parses and writes back unchanged.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rtc/sdp/session_description.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using auralink::rtc::SessionDescription;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = SessionDescription::Parse(text);
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) std::abort();
    return 0;
  }
  for (const auto& section : parsed->media) {
    for (const auto& codec : section.codecs) codec.FmtpParameters();
  }
  // What we write must parse, and writing is a fixed point from then on.
  const std::string written = parsed->ToString();
  auto reparsed = SessionDescription::Parse(written);
  if (!reparsed.ok() || reparsed->ToString() != written) std::abort();
  return 0;
}

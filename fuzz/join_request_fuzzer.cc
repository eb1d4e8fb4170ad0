// Fuzzes the /rtc/v1 join_request decoder (src/signal/protocol/wrapped_join_request.h): any text
// must give a JoinRequest or a one-line error, never a crash or an unbounded allocation (GZIP
// output is capped). The input is tried as the query value itself, and, so that the fuzzer reaches
// the protobuf and gzip layers without having to invent base64, as the bytes of a
// WrappedJoinRequest that is base64-encoded first.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "signal/auth/base64_url.h"
#include "signal/protocol/signal_message.h"
#include "signal/protocol/wrapped_join_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace auralink::signal;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const std::string& parameter :
       {std::string(text), Base64UrlEncode(std::span<const uint8_t>(data, size))}) {
    const auto request = DecodeJoinRequestParameter(parameter);
    if (!request.ok()) {
      if (request.status().message().empty()) std::abort();
      continue;
    }
    // A decoded request encodes again to a parameter that decodes to the same message.
    for (bool gzip : {false, true}) {
      const auto again = DecodeJoinRequestParameter(EncodeJoinRequestParameter(*request, gzip));
      if (!again.ok() || SerializeMessage(*again) != SerializeMessage(*request)) std::abort();
    }
  }
  return 0;
}

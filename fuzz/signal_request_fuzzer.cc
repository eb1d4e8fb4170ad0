// Fuzzes the LiveKit signalling parsers (src/signal/protocol): any bytes must give a SignalRequest
// or a one-line error, never a crash; a parsed request must re-encode to bytes that parse to the
// same encoding (unknown fields included), and must print as Twirp JSON that parses back. Inputs
// that start with '{' also go through the Twirp JSON parser as a CreateRoomRequest.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "signal/protocol/livekit_room.pb.h"
#include "signal/protocol/signal_message.h"
#include "signal/protocol/twirp_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace auralink::signal;
  const std::span<const uint8_t> bytes(data, size);
  if (size > 0 && data[0] == '{') {
    livekit::CreateRoomRequest request;
    const auto status =
        MessageFromTwirpJson(std::string_view(reinterpret_cast<const char*>(data), size), &request);
    if (!status.ok() && status.message().empty()) std::abort();
    if (status.ok()) {
      livekit::CreateRoomRequest again;
      if (!MessageFromTwirpJson(MessageToTwirpJson(request), &again).ok()) std::abort();
    }
  }
  const auto request = ParseSignalRequest(bytes);
  if (!request.ok()) {
    if (request.status().message().empty()) std::abort();
    return 0;
  }
  const std::vector<uint8_t> encoded = SerializeMessage(*request);
  const auto reparsed = ParseSignalRequest(encoded);
  if (!reparsed.ok() || SerializeMessage(*reparsed) != encoded) std::abort();
  (void)MessageToTwirpJson(*request);
  return 0;
}

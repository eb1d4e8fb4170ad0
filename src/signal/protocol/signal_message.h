// LiveKit signalling messages as they cross the WebSocket: one binary protobuf SignalRequest per
// frame from the client, one SignalResponse per frame back. Parsing is bounded so a hostile peer
// cannot make the server allocate more than it sent; fields this build does not know survive a
// parse/serialize round trip (proto3 keeps unknown fields), so newer clients' additions pass
// through.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"
#include "signal/protocol/livekit_models.pb.h"
#include "signal/protocol/livekit_rtc.pb.h"

namespace google::protobuf {
class Message;
}

namespace auralink::signal {

// SDP offers with many simulcast m-sections stay far below this; LiveKit's own server reads
// WebSocket messages up to the same order of magnitude.
inline constexpr size_t kMaxSignalMessageBytes = 1 << 20;

// Parses a binary protobuf into `message` (cleared first). Fails on more than `max_bytes`, on bytes
// that are not a valid encoding of the message, and on nesting deeper than protobuf's recursion
// limit.
Status ParseBinaryMessage(std::span<const uint8_t> bytes, size_t max_bytes,
                          google::protobuf::Message* message);

StatusOr<livekit::SignalRequest> ParseSignalRequest(std::span<const uint8_t> bytes,
                                                    size_t max_bytes = kMaxSignalMessageBytes);
StatusOr<livekit::SignalResponse> ParseSignalResponse(std::span<const uint8_t> bytes,
                                                      size_t max_bytes = kMaxSignalMessageBytes);
// Reliable/lossy data channel payloads (the "_reliable" and "_lossy" SCTP channels).
StatusOr<livekit::DataPacket> ParseDataPacket(std::span<const uint8_t> bytes,
                                              size_t max_bytes = kMaxSignalMessageBytes);

// Sends protobuf's own log lines (e.g. one per rejected invalid UTF-8 string) to common/log.h at
// debug level instead of stderr at ERROR. Idempotent; the parse and JSON functions call it.
void RouteProtobufLogsToAuralinkLog();

// Deterministic encoding (map entries sorted), so equal messages give equal bytes.
std::vector<uint8_t> SerializeMessage(const google::protobuf::Message& message);

}  // namespace auralink::signal

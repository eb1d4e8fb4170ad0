// The JSON side of Twirp (https://twitchtv.github.io/twirp/docs/spec_v7.html): request and response
// bodies are the proto3 JSON mapping of the method's messages.
//
// What livekit-server-sdk 2.19.2 sends (protobuf-es `toJson()`): lowerCamelCase field names, enums
// as their names, 64-bit integers as strings, default values left out. What it reads back
// (`fromJson(data, {ignoreUnknownFields: true})`): either field-name style, enums as names or
// numbers, 64-bit integers as strings or numbers, unknown fields ignored. We therefore accept every
// proto3 JSON spelling and ignore unknown fields (as Twirp's Go server does), and answer the way
// Twirp's Go server answers by default: proto field names, every scalar field present, enums as
// names, 64-bit integers as strings.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace google::protobuf {
class Message;
}

namespace auralink::signal {

inline constexpr size_t kMaxTwirpJsonBytes = 1 << 20;

// Parses `json` into `message` (cleared first). Unknown fields and unknown enum names are ignored.
Status MessageFromTwirpJson(std::string_view json, google::protobuf::Message* message,
                            size_t max_bytes = kMaxTwirpJsonBytes);

struct TwirpJsonStyle {
  // true: "participant_identity"; false: "participantIdentity".
  bool proto_field_names = true;
  // true: scalars and repeated fields at their default are written too.
  bool emit_defaults = true;
};

std::string MessageToTwirpJson(const google::protobuf::Message& message,
                               const TwirpJsonStyle& style = TwirpJsonStyle{});

}  // namespace auralink::signal

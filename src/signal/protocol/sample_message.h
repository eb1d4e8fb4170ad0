// Test-only: fills every field of a protobuf message through reflection with values derived from
// the field number and a seed, so round-trip tests cover each field without listing them by hand.
#pragma once

#include <vector>

namespace google::protobuf {
class Descriptor;
class Message;
}  // namespace google::protobuf

namespace auralink::signal {

// Sets every singular and repeated field (two elements), every map (two entries), recursing into
// sub-messages up to `depth` levels; for each oneof, the member chosen is `seed` modulo the member
// count. Values stay inside what both protobuf and the proto3 JSON mapping represent exactly
// (valid UTF-8, enum numbers that exist, integral floats, timestamps within range).
void FillSampleMessage(google::protobuf::Message* message, int seed, int depth = 3);

// Every message type declared in the LiveKit .proto files of this library, nested ones included.
std::vector<const google::protobuf::Descriptor*> AllLivekitMessageTypes();

}  // namespace auralink::signal

// A load-test participant in a Janus VideoRoom: the native client's media side (RoomClient with
// its ICE/DTLS/SRTP transport, emulated sources, counters) under Janus's signalling. The publisher
// joins room `room` as a publisher and publishes with an offer that takes the DTLS client role
// (a=setup:active); subscribers join as subscribers to the publisher's feed, answer Janus's offer
// (Janus is then the controlling ICE agent) and send "start".
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "client/load_generator.h"
#include "janus_session.h"

namespace auralink::bench {

// What the participants of one run share: the publisher's feed id, set once it has joined.
struct JanusRoomState {
  uint64_t room = 1234;
  std::atomic<uint64_t> publisher_feed{0};
};

// `bind_ip`: where the clients' UDP sockets live. Janus gathers candidates on non-loopback
// interfaces only and sends from sockets tied to them, so loopback clients never hear back.
client::LoadParticipantFactory JanusParticipants(const std::string& url,
                                                 std::shared_ptr<JanusRoomState> room,
                                                 const std::string& bind_ip);
// The first non-loopback IPv4 address of this machine; nullopt when there is none.
std::optional<std::string> FirstNonLoopbackIpv4();

}  // namespace auralink::bench

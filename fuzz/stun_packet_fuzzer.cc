// Fuzzes STUN parsing (src/rtc/ice/stun_packet.h) and the ICE-lite agent that answers it: any
// datagram must be parsed or rejected, and the agent's reply must itself be a well-formed STUN
// message, never a crash or a reply to garbage that failed demultiplexing.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "rtc/ice/ice_lite_agent.h"
#include "rtc/ice/ice_tcp_framing.h"
#include "rtc/ice/stun_packet.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace auralink;
  const std::span<const uint8_t> bytes(data, size);
  auto packet = rtc::StunPacket::Parse(bytes);
  if (packet.ok()) {
    packet->VerifyMessageIntegrity("serverpassword0123456789");
  } else if (packet.status().message().empty()) {
    std::abort();
  }

  static auto agent =
      rtc::IceLiteAgent::Create({"srvU", "serverpassword0123456789", /*consent_timeout_ms=*/1000})
          .value();
  static int64_t now_ms = 0;
  now_ms += 10;
  const auto from = *net::SocketAddress::FromIp(size % 2 ? "192.0.2.1" : "2001:db8::1",
                                                static_cast<uint16_t>(size));
  const auto result = agent->HandleStun(bytes, from, now_ms);
  if (!result.response.empty()) {
    if (!rtc::IsStunPacket(bytes)) std::abort();
    auto response = rtc::StunPacket::Parse(result.response);
    if (!response.ok() || response->transaction_id() != packet->transaction_id()) std::abort();
  }
  agent->Tick(now_ms);

  // The input as attributes (type: 2 bytes, length: 1 byte, value) of a Binding request signed
  // with the agent's password, so that mutations reach the attribute parsers and the agent's
  // checks behind the FINGERPRINT and MESSAGE-INTEGRITY gates.
  if (size >= 1) {
    rtc::StunTransactionId id{};
    for (size_t i = 0; i < id.size() && i < size; ++i) id[i] = data[i];
    rtc::StunMessageBuilder builder(rtc::StunClass::kRequest, rtc::kStunMethodBinding, id);
    if (data[0] & 1) builder.AddUsername("srvU:peer");
    for (size_t offset = 1; offset + 3 <= size && offset < 1200;) {
      const uint16_t type = static_cast<uint16_t>((data[offset] << 8) | data[offset + 1]);
      const size_t length = std::min<size_t>(data[offset + 2], size - offset - 3);
      builder.AddAttribute(type, bytes.subspan(offset + 3, length));
      offset += 3 + length;
    }
    const auto signed_request = builder.Finish("serverpassword0123456789");
    const auto signed_result = agent->HandleStun(signed_request, from, now_ms);
    if (!signed_result.response.empty() && !rtc::StunPacket::Parse(signed_result.response).ok()) {
      std::abort();
    }
  }

  // The same bytes as an ICE-TCP stream.
  rtc::IceTcpFrameDecoder decoder(1500);
  if (decoder.Feed(bytes).ok()) {
    while (auto frame = decoder.NextFrame()) {
      if (frame->empty() || frame->size() > 1500) std::abort();
      agent->HandleStun(*frame, from, now_ms);
    }
  }
  return 0;
}

#include "rtc/sctp/sctp_association.h"

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace auralink::rtc {
namespace {

// usrsctp's timer wheel is process-wide, so every test shares one clock that only moves forward.
int64_t g_now_ms = 1000;

struct ReceivedMessage {
  uint16_t channel = 0;
  std::vector<uint8_t> bytes;
  bool binary = false;
};

// One side of the in-memory link: an association plus everything its callbacks reported.
struct Endpoint {
  std::unique_ptr<SctpAssociation> association;
  std::deque<std::vector<uint8_t>> outbox;
  bool connected = false;
  std::optional<Status> closed;
  std::map<uint16_t, DataChannelInfo> opened;
  std::vector<uint16_t> closed_channels;
  std::vector<ReceivedMessage> messages;
  std::vector<uint16_t> buffered_low;
  std::function<void(const ReceivedMessage&)> on_message_hook;

  void Create(SctpAssociationConfig config) {
    SctpAssociation::Callbacks callbacks;
    callbacks.on_packet = [this](std::span<const uint8_t> packet) {
      outbox.emplace_back(packet.begin(), packet.end());
    };
    callbacks.on_connected = [this] { connected = true; };
    callbacks.on_closed = [this](const Status& reason) { closed = reason; };
    callbacks.on_channel_opened = [this](const DataChannelInfo& info) { opened[info.id] = info; };
    callbacks.on_channel_closed = [this](uint16_t id) { closed_channels.push_back(id); };
    callbacks.on_message = [this](uint16_t id, std::span<const uint8_t> bytes, bool binary) {
      messages.push_back({id, std::vector<uint8_t>(bytes.begin(), bytes.end()), binary});
      if (on_message_hook) on_message_hook(messages.back());
    };
    callbacks.on_buffered_amount_low = [this](uint16_t id) { buffered_low.push_back(id); };
    auto created = SctpAssociation::Create(config, std::move(callbacks));
    ASSERT_TRUE(created.ok()) << created.status().message();
    association = std::move(*created);
  }

  std::vector<ReceivedMessage> MessagesOn(uint16_t channel) const {
    std::vector<ReceivedMessage> out;
    for (const auto& message : messages) {
      if (message.channel == channel) out.push_back(message);
    }
    return out;
  }
};

// Two associations wired back to back: the DTLS client side (even ids) and the server side.
class SctpLink {
 public:
  explicit SctpLink(SctpAssociationConfig client_config = {},
                    SctpAssociationConfig server_config = {}) {
    client_config.is_dtls_client = true;
    server_config.is_dtls_client = false;
    client.Create(client_config);
    server.Create(server_config);
  }

  // Decides per packet whether the link loses it (from_client tells the direction).
  std::function<bool(bool from_client, const std::vector<uint8_t>& packet)> lose;

  // Moves packets and advances the clock in 10 ms steps until done() or the time budget is out.
  bool RunUntil(const std::function<bool()>& done, int64_t budget_ms = 30000) {
    const int64_t end = g_now_ms + budget_ms;
    while (true) {
      Deliver();
      if (done()) return true;
      if (g_now_ms >= end) return false;
      g_now_ms += 10;
      if (client.association) client.association->Tick(g_now_ms);
      if (server.association) server.association->Tick(g_now_ms);
    }
  }

  bool Connect() {
    EXPECT_TRUE(client.association->Connect().ok());
    EXPECT_TRUE(server.association->Connect().ok());
    return RunUntil([&] { return client.connected && server.connected; });
  }

  Endpoint client;
  Endpoint server;

 private:
  void Deliver() {
    // Packets are passed after the sending call returned, as a DTLS transport would.
    for (int round = 0; round < 1000; ++round) {
      if (client.outbox.empty() && server.outbox.empty()) return;
      auto from_client = std::move(client.outbox);
      client.outbox.clear();
      auto from_server = std::move(server.outbox);
      server.outbox.clear();
      for (auto& packet : from_client) {
        if (lose && lose(true, packet)) continue;
        if (server.association) server.association->HandlePacket(packet);
      }
      for (auto& packet : from_server) {
        if (lose && lose(false, packet)) continue;
        if (client.association) client.association->HandlePacket(packet);
      }
    }
  }
};

std::vector<uint8_t> Bytes(const std::string& text) {
  return std::vector<uint8_t>(text.begin(), text.end());
}

std::vector<uint8_t> Pattern(size_t size, uint32_t seed) {
  std::vector<uint8_t> bytes(size);
  uint32_t state = seed * 2654435761u + 1;
  for (auto& byte : bytes) {
    state = state * 1664525u + 1013904223u;
    byte = static_cast<uint8_t>(state >> 24);
  }
  return bytes;
}

DataChannelOptions Reliable() {
  DataChannelOptions options;
  options.label = "_reliable";
  return options;
}

DataChannelOptions Lossy() {
  DataChannelOptions options;
  options.label = "_lossy";
  options.ordered = false;
  options.max_retransmits = 0;
  return options;
}

TEST(SctpAssociationTest, BothSidesConnect) {
  SctpLink link;
  ASSERT_TRUE(link.Connect());
  EXPECT_EQ(link.client.association->state(), SctpAssociation::State::kConnected);
  EXPECT_EQ(link.server.association->state(), SctpAssociation::State::kConnected);
}

TEST(SctpAssociationTest, ServerAnswersWithoutCallingConnect) {
  SctpLink link;
  ASSERT_TRUE(link.client.association->Connect().ok());
  ASSERT_TRUE(link.RunUntil([&] { return link.client.connected && link.server.connected; }));
}

TEST(SctpAssociationTest, ClientOpensLiveKitChannelsOnPublisherConnection) {
  SctpLink link;
  // Opened before the association is up, as livekit-client does; DCEP goes out on COMM_UP.
  auto reliable = link.client.association->OpenChannel(Reliable());
  auto lossy = link.client.association->OpenChannel(Lossy());
  ASSERT_TRUE(reliable.ok() && lossy.ok());
  EXPECT_EQ(*reliable % 2, 0);  // RFC 8832 §6: the DTLS client takes even ids
  EXPECT_EQ(*lossy % 2, 0);
  EXPECT_NE(*reliable, *lossy);
  ASSERT_TRUE(link.Connect());
  ASSERT_TRUE(link.RunUntil([&] { return link.server.opened.size() == 2; }));
  const DataChannelInfo& remote_reliable = link.server.opened.at(*reliable);
  EXPECT_EQ(remote_reliable.label, "_reliable");
  EXPECT_TRUE(remote_reliable.ordered);
  EXPECT_FALSE(remote_reliable.max_retransmits.has_value());
  EXPECT_FALSE(remote_reliable.opened_locally);
  const DataChannelInfo& remote_lossy = link.server.opened.at(*lossy);
  EXPECT_EQ(remote_lossy.label, "_lossy");
  EXPECT_FALSE(remote_lossy.ordered);
  EXPECT_EQ(remote_lossy.max_retransmits, std::optional<uint16_t>(0));
  EXPECT_EQ(link.client.opened.size(), 2u);
  EXPECT_TRUE(link.client.opened.at(*reliable).opened_locally);

  // Both directions on both channels.
  ASSERT_TRUE(link.client.association->Send(*reliable, Bytes("offer"), false).ok());
  ASSERT_TRUE(link.server.association->Send(*reliable, Bytes("answer"), true).ok());
  ASSERT_TRUE(link.server.association->Send(*lossy, Bytes("speaker"), true).ok());
  ASSERT_TRUE(link.RunUntil(
      [&] { return link.server.messages.size() == 1 && link.client.messages.size() == 2; }));
  EXPECT_EQ(link.server.messages[0].bytes, Bytes("offer"));
  EXPECT_FALSE(link.server.messages[0].binary);
  EXPECT_EQ(link.client.MessagesOn(*reliable).at(0).bytes, Bytes("answer"));
  EXPECT_TRUE(link.client.MessagesOn(*reliable).at(0).binary);
  EXPECT_EQ(link.client.MessagesOn(*lossy).at(0).bytes, Bytes("speaker"));
}

TEST(SctpAssociationTest, ServerOpensLiveKitChannelsOnSubscriberConnection) {
  SctpLink link;
  ASSERT_TRUE(link.Connect());
  auto reliable = link.server.association->OpenChannel(Reliable());
  auto lossy = link.server.association->OpenChannel(Lossy());
  ASSERT_TRUE(reliable.ok() && lossy.ok());
  EXPECT_EQ(*reliable % 2, 1);  // the DTLS server takes odd ids
  EXPECT_EQ(*lossy % 2, 1);
  ASSERT_TRUE(link.RunUntil([&] { return link.client.opened.size() == 2; }));
  EXPECT_EQ(link.client.opened.at(*lossy).label, "_lossy");
  EXPECT_FALSE(link.client.opened.at(*lossy).ordered);
  ASSERT_TRUE(link.server.association->Send(*lossy, Bytes("data"), true).ok());
  ASSERT_TRUE(link.client.association->Send(*reliable, Bytes("reply"), false).ok());
  ASSERT_TRUE(link.RunUntil(
      [&] { return link.client.messages.size() == 1 && link.server.messages.size() == 1; }));
  EXPECT_EQ(link.client.messages[0].channel, *lossy);
  EXPECT_EQ(link.server.messages[0].channel, *reliable);
  EXPECT_EQ(link.server.messages[0].bytes, Bytes("reply"));
}

TEST(SctpAssociationTest, ExchangesSmallEmptyAndLargeMessagesInOrderBothWays) {
  SctpAssociationConfig config;
  config.remote_max_message_size = 256 * 1024;
  SctpLink link(config, config);
  ASSERT_TRUE(link.Connect());
  auto id = link.client.association->OpenChannel(Reliable());
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(link.RunUntil([&] { return link.server.opened.contains(*id); }));

  std::vector<ReceivedMessage> sent;
  for (int i = 0; i < 12; ++i) {
    ReceivedMessage message;
    message.channel = *id;
    message.binary = i % 2 == 0;
    if (i % 4 == 1) {
      message.bytes = {};  // RFC 8831 §6.6 empty message
    } else if (i % 4 == 3) {
      message.bytes = Pattern(200 * 1024, i);
    } else {
      message.bytes = Pattern(1 + i * 37, i);
    }
    sent.push_back(message);
  }
  for (const auto& message : sent) {
    ASSERT_TRUE(link.client.association->Send(*id, message.bytes, message.binary).ok());
    ASSERT_TRUE(link.server.association->Send(*id, message.bytes, message.binary).ok());
  }
  ASSERT_TRUE(link.RunUntil([&] {
    return link.server.messages.size() == sent.size() && link.client.messages.size() == sent.size();
  }));
  for (size_t i = 0; i < sent.size(); ++i) {
    for (const Endpoint* receiver : {&link.server, &link.client}) {
      const ReceivedMessage& got = receiver->messages[i];
      EXPECT_EQ(got.channel, *id);
      EXPECT_EQ(got.binary, sent[i].binary) << "message " << i;
      EXPECT_EQ(got.bytes, sent[i].bytes) << "message " << i;
    }
  }
  EXPECT_EQ(link.client.association->buffered_amount(*id), 0u);
}

TEST(SctpAssociationTest, LargeMessagesGoOutInPiecesThroughASmallSendBuffer) {
  // A send buffer smaller than one message forces the explicit-EOR partial sends.
  SctpAssociationConfig config;
  config.send_buffer_bytes = 64 * 1024;
  config.remote_max_message_size = 256 * 1024;
  SctpLink link(config, config);
  ASSERT_TRUE(link.Connect());
  auto id = link.client.association->OpenChannel(Reliable());
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(link.RunUntil([&] { return link.server.opened.contains(*id); }));
  link.client.association->SetBufferedAmountLowThreshold(*id, 0);
  std::vector<std::vector<uint8_t>> sent;
  for (int i = 0; i < 4; ++i) {
    sent.push_back(Pattern(256 * 1024 - i, 100 + i));
    ASSERT_TRUE(link.client.association->Send(*id, sent.back(), true).ok());
  }
  EXPECT_GT(link.client.association->buffered_amount(*id), 0u);
  ASSERT_TRUE(link.RunUntil([&] { return link.server.messages.size() == sent.size(); }));
  for (size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(link.server.messages[i].bytes, sent[i]);
  EXPECT_EQ(link.client.association->buffered_amount(*id), 0u);
  EXPECT_FALSE(link.client.buffered_low.empty());
  EXPECT_EQ(link.client.buffered_low.back(), *id);
}

TEST(SctpAssociationTest, LossOnTheLossyChannelDoesNotStallTheReliableOne) {
  SctpLink link;
  ASSERT_TRUE(link.Connect());
  auto reliable = link.client.association->OpenChannel(Reliable());
  auto lossy = link.client.association->OpenChannel(Lossy());
  ASSERT_TRUE(reliable.ok() && lossy.ok());
  ASSERT_TRUE(link.RunUntil([&] { return link.server.opened.size() == 2; }));
  // Let the lossy channel's first message act as the ACK-equivalent before loss starts, so that
  // later messages go unordered (RFC 8832 §6).
  ASSERT_TRUE(link.server.association->Send(*lossy, Bytes("hello"), true).ok());
  ASSERT_TRUE(link.RunUntil([&] { return link.client.messages.size() == 1; }));

  uint32_t random = 12345;
  int lost = 0;
  link.lose = [&](bool, const std::vector<uint8_t>&) {
    random = random * 1664525u + 1013904223u;
    const bool drop = (random >> 24) < 51;  // about 20 %
    lost += drop;
    return drop;
  };
  constexpr int kMessages = 200;
  for (int i = 0; i < kMessages; ++i) {
    std::string text = "message " + std::to_string(i);
    ASSERT_TRUE(link.client.association->Send(*reliable, Bytes(text), false).ok());
    ASSERT_TRUE(link.client.association->Send(*lossy, Bytes(text), true).ok());
    // Spread over time so packets carry few messages each and loss hits both channels.
    link.RunUntil([] { return false; }, 10);
  }
  ASSERT_TRUE(
      link.RunUntil([&] { return link.server.MessagesOn(*reliable).size() == kMessages; }, 120000));
  EXPECT_GT(lost, 0);
  auto reliable_messages = link.server.MessagesOn(*reliable);
  for (int i = 0; i < kMessages; ++i) {
    EXPECT_EQ(reliable_messages[i].bytes, Bytes("message " + std::to_string(i)));
  }
  auto lossy_messages = link.server.MessagesOn(*lossy);
  EXPECT_LT(lossy_messages.size(), static_cast<size_t>(kMessages));  // some were abandoned
  std::set<std::string> seen;
  for (const auto& message : lossy_messages) {
    const std::string text(message.bytes.begin(), message.bytes.end());
    EXPECT_TRUE(text.starts_with("message ")) << text;
    EXPECT_TRUE(seen.insert(text).second) << "a lossy message arrived twice: " << text;
  }
}

TEST(SctpAssociationTest, CloseResetsTheStreamAndFreesTheId) {
  SctpLink link;
  ASSERT_TRUE(link.Connect());
  auto id = link.client.association->OpenChannel(Reliable());
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(link.RunUntil([&] { return link.server.opened.contains(*id); }));
  ASSERT_TRUE(link.client.association->Send(*id, Bytes("last words"), false).ok());
  ASSERT_TRUE(link.client.association->CloseChannel(*id).ok());
  EXPECT_FALSE(link.client.association->Send(*id, Bytes("too late"), false).ok());
  ASSERT_TRUE(link.RunUntil([&] {
    return link.client.closed_channels.size() == 1 && link.server.closed_channels.size() == 1;
  }));
  EXPECT_EQ(link.client.closed_channels[0], *id);
  EXPECT_EQ(link.server.closed_channels[0], *id);
  // Queued data went out before the reset.
  ASSERT_EQ(link.server.messages.size(), 1u);
  EXPECT_EQ(link.server.messages[0].bytes, Bytes("last words"));
  EXPECT_EQ(link.server.association->channel(*id), nullptr);
  EXPECT_FALSE(link.server.association->Send(*id, Bytes("x"), false).ok());

  // The id is free again on both sides and the reset stream starts over cleanly.
  auto reopened = link.client.association->OpenChannel(Reliable());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*reopened, *id);
  link.server.opened.clear();
  ASSERT_TRUE(link.RunUntil([&] { return link.server.opened.contains(*id); }));
  ASSERT_TRUE(link.server.association->Send(*id, Bytes("again"), false).ok());
  ASSERT_TRUE(link.RunUntil([&] { return link.client.messages.size() == 1; }));
  EXPECT_EQ(link.client.messages[0].bytes, Bytes("again"));
}

TEST(SctpAssociationTest, PeerCloseIsAnsweredWithOurReset) {
  SctpLink link;
  ASSERT_TRUE(link.Connect());
  auto first = link.server.association->OpenChannel(Reliable());
  auto second = link.server.association->OpenChannel(Lossy());
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE(link.RunUntil([&] { return link.client.opened.size() == 2; }));
  // Two closes at once: one reset request may be outstanding, the second waits for it.
  ASSERT_TRUE(link.client.association->CloseChannel(*first).ok());
  ASSERT_TRUE(link.client.association->CloseChannel(*second).ok());
  ASSERT_TRUE(link.RunUntil([&] {
    return link.client.closed_channels.size() == 2 && link.server.closed_channels.size() == 2;
  }));
  EXPECT_TRUE(link.server.association->channel_ids().empty());
  EXPECT_TRUE(link.client.association->channel_ids().empty());
}

TEST(SctpAssociationTest, RefusesMessagesAboveThePeersMaximumAndOnUnknownChannels) {
  SctpAssociationConfig config;
  config.remote_max_message_size = 1000;
  SctpLink link(config, config);
  ASSERT_TRUE(link.Connect());
  auto id = link.client.association->OpenChannel(Reliable());
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(link.client.association->Send(*id, Pattern(1000, 1), true).ok());
  EXPECT_FALSE(link.client.association->Send(*id, Pattern(1001, 1), true).ok());
  EXPECT_FALSE(link.client.association->Send(*id + 2, Pattern(10, 1), true).ok());
  EXPECT_FALSE(link.client.association->CloseChannel(*id + 2).ok());
  DataChannelOptions both = Reliable();
  both.max_retransmits = 1;
  both.max_packet_lifetime_ms = 1;
  EXPECT_FALSE(link.client.association->OpenChannel(both).ok());
}

TEST(SctpAssociationTest, DropsIncomingMessagesAboveOurMaximum) {
  SctpAssociationConfig small;
  small.max_message_size = 4096;
  SctpAssociationConfig large;
  large.remote_max_message_size = 256 * 1024;  // a peer that ignores our a=max-message-size
  SctpLink link(large, small);
  ASSERT_TRUE(link.Connect());
  auto id = link.client.association->OpenChannel(Reliable());
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(link.client.association->Send(*id, Pattern(100 * 1024, 3), true).ok());
  ASSERT_TRUE(link.client.association->Send(*id, Bytes("small"), false).ok());
  ASSERT_TRUE(link.RunUntil([&] { return !link.server.messages.empty(); }));
  ASSERT_EQ(link.server.messages.size(), 1u);
  EXPECT_EQ(link.server.messages[0].bytes, Bytes("small"));
}

TEST(SctpAssociationTest, GarbageInputIsIgnored) {
  SctpLink link;
  ASSERT_TRUE(link.Connect());
  auto id = link.client.association->OpenChannel(Reliable());
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(link.RunUntil([&] { return link.server.opened.contains(*id); }));
  SctpAssociation& server = *link.server.association;
  for (size_t size : {1u, 3u, 12u, 13u, 16u, 100u, 1200u, 5000u}) {
    for (uint32_t seed = 0; seed < 20; ++seed) server.HandlePacket(Pattern(size, seed * 31 + size));
  }
  // A well-formed common header (right ports) followed by junk chunks.
  std::vector<uint8_t> header_and_junk = {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0, 0, 0, 0, 0};
  auto junk = Pattern(64, 7);
  header_and_junk.insert(header_and_junk.end(), junk.begin(), junk.end());
  server.HandlePacket(header_and_junk);
  // A truncated copy of a real packet.
  ASSERT_TRUE(link.client.association->Send(*id, Bytes("ping"), false).ok());
  ASSERT_FALSE(link.client.outbox.empty());
  auto real = link.client.outbox.front();
  server.HandlePacket(std::span<const uint8_t>(real.data(), real.size() / 2));
  link.server.outbox.clear();  // whatever it answered to the junk

  EXPECT_EQ(server.state(), SctpAssociation::State::kConnected);
  ASSERT_TRUE(link.RunUntil([&] { return link.server.messages.size() == 1; }));
  EXPECT_EQ(link.server.messages[0].bytes, Bytes("ping"));
}

TEST(SctpAssociationTest, DestroyingOneAssociationLeavesOthersRunning) {
  SctpLink first;
  SctpLink second;
  ASSERT_TRUE(first.Connect());
  ASSERT_TRUE(second.Connect());
  auto first_id = first.client.association->OpenChannel(Reliable());
  auto second_id = second.client.association->OpenChannel(Reliable());
  ASSERT_TRUE(first_id.ok() && second_id.ok());
  ASSERT_TRUE(first.client.association->Send(*first_id, Pattern(50000, 1), true).ok());
  // Destroyed mid-transfer, with usrsctp still holding queued data and timers for it.
  first.client.association.reset();
  first.server.association.reset();
  ASSERT_TRUE(second.RunUntil([&] { return second.server.opened.contains(*second_id); }));
  ASSERT_TRUE(second.client.association->Send(*second_id, Bytes("still here"), false).ok());
  ASSERT_TRUE(second.RunUntil([&] { return second.server.messages.size() == 1; }));
  EXPECT_EQ(second.server.messages[0].bytes, Bytes("still here"));
  // The first link's timers fire into ids that are gone without harm.
  first.RunUntil([] { return false; }, 5000);
}

TEST(SctpAssociationTest, ACallbackMayDestroyItsAssociation) {
  SctpLink link;
  ASSERT_TRUE(link.Connect());
  auto id = link.client.association->OpenChannel(Reliable());
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(link.RunUntil([&] { return link.server.opened.contains(*id); }));
  link.server.on_message_hook = [&](const ReceivedMessage&) { link.server.association.reset(); };
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(link.client.association->Send(*id, Bytes("bye"), false).ok());
  }
  ASSERT_TRUE(link.RunUntil([&] { return link.server.association == nullptr; }));
  EXPECT_EQ(link.server.messages.size(), 1u);
}

TEST(SctpAssociationTest, PeerAbortClosesEveryChannel) {
  SctpLink link;
  ASSERT_TRUE(link.Connect());
  auto id = link.client.association->OpenChannel(Reliable());
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(link.RunUntil([&] { return link.server.opened.contains(*id); }));
  link.server.association->Abort();
  EXPECT_TRUE(link.server.closed.has_value());
  EXPECT_EQ(link.server.association->state(), SctpAssociation::State::kClosed);
  ASSERT_TRUE(link.RunUntil([&] { return link.client.closed.has_value(); }));
  EXPECT_FALSE(link.client.closed->ok());
  ASSERT_EQ(link.client.closed_channels.size(), 1u);
  EXPECT_EQ(link.client.closed_channels[0], *id);
  EXPECT_EQ(link.client.association->state(), SctpAssociation::State::kClosed);
  EXPECT_FALSE(link.client.association->Send(*id, Bytes("x"), false).ok());
  EXPECT_FALSE(link.client.association->OpenChannel(Reliable()).ok());
}

TEST(SctpAssociationTest, CreateRejectsBadConfig) {
  SctpAssociationConfig config;
  config.remote_port = 0;
  EXPECT_FALSE(SctpAssociation::Create(config, {}).ok());
  config = {};
  config.streams = 1;
  EXPECT_FALSE(SctpAssociation::Create(config, {}).ok());
  config = {};
  config.mtu = 100;
  EXPECT_FALSE(SctpAssociation::Create(config, {}).ok());
}

}  // namespace
}  // namespace auralink::rtc

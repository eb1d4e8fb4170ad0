// Fuzzes the data channel stack (src/rtc/sctp): the input is parsed as a DCEP message, then fed
// to a connected SCTP association twice, once as is and once with its common header patched to
// the association's ports, verification tag and a correct CRC32c (RFC 4960 §3.1), so that the
// chunks get past usrsctp's header checks. Nothing may crash, and a parsed DATA_CHANNEL_OPEN must
// serialise back to a message that parses to the same fields.
#include <usrsctp.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <vector>

#include "rtc/sctp/dcep_message.h"
#include "rtc/sctp/sctp_association.h"

namespace {

using auralink::rtc::DataChannelOptions;
using auralink::rtc::SctpAssociation;
using auralink::rtc::SctpAssociationConfig;

void CheckDcep(std::span<const uint8_t> bytes) {
  (void)auralink::rtc::ParseDcepMessageType(bytes);
  (void)auralink::rtc::ParseDcepAck(bytes);
  auto open = auralink::rtc::DcepOpenMessage::Parse(bytes);
  if (!open.ok()) {
    if (open.status().message().empty()) std::abort();
    return;
  }
  auto again = open->Serialize();
  if (!again.ok()) std::abort();
  auto reparsed = auralink::rtc::DcepOpenMessage::Parse(*again);
  if (!reparsed.ok() || reparsed->label != open->label || reparsed->protocol != open->protocol ||
      reparsed->channel_type != open->channel_type || reparsed->priority != open->priority) {
    std::abort();
  }
}

// A client and a server association wired back to back, kept across inputs (the handshake costs
// far more than one input) and rebuilt whenever an input has ended the association.
class Pair {
 public:
  Pair() { Build(); }

  void Feed(std::span<const uint8_t> input) {
    if (!Healthy()) Build();
    server_->HandlePacket(input);
    if (input.size() >= sizeof(sctp_common_header) && server_header_known_) {
      std::vector<uint8_t> patched(input.begin(), input.end());
      std::memcpy(patched.data(), &server_header_, 8);  // ports and verification tag
      std::memset(patched.data() + 8, 0, 4);
      const uint32_t crc = usrsctp_crc32c(patched.data(), patched.size());
      std::memcpy(patched.data() + 8, &crc, 4);
      server_->HandlePacket(patched);
    }
    Run(3);
  }

 private:
  bool Healthy() const {
    return client_ && server_ && client_->state() == SctpAssociation::State::kConnected &&
           server_->state() == SctpAssociation::State::kConnected;
  }

  void Build() {
    server_.reset();
    client_.reset();
    to_server_.clear();
    to_client_.clear();
    server_header_known_ = false;
    SctpAssociationConfig client_config;
    client_config.is_dtls_client = true;
    client_ = Make(client_config, &to_server_, /*from_client=*/true);
    server_ = Make(SctpAssociationConfig{}, &to_client_, /*from_client=*/false);
    if (!client_ || !server_) std::abort();
    (void)client_->Connect();
    DataChannelOptions reliable;
    reliable.label = "_reliable";
    (void)client_->OpenChannel(reliable);
    DataChannelOptions lossy;
    lossy.label = "_lossy";
    lossy.ordered = false;
    lossy.max_retransmits = 0;
    (void)server_->OpenChannel(lossy);
    Run(50);
  }

  std::unique_ptr<SctpAssociation> Make(const SctpAssociationConfig& config,
                                        std::deque<std::vector<uint8_t>>* outbox,
                                        bool from_client) {
    SctpAssociation::Callbacks callbacks;
    callbacks.on_packet = [this, outbox, from_client](std::span<const uint8_t> packet) {
      if (from_client && packet.size() >= sizeof(sctp_common_header)) {
        std::memcpy(&server_header_, packet.data(), sizeof(server_header_));
        server_header_known_ = true;
      }
      outbox->emplace_back(packet.begin(), packet.end());
    };
    auto created = SctpAssociation::Create(config, std::move(callbacks));
    return created.ok() ? std::move(*created) : nullptr;
  }

  void Run(int steps) {
    for (int step = 0; step < steps; ++step) {
      for (int round = 0; round < 100 && (!to_server_.empty() || !to_client_.empty()); ++round) {
        auto for_server = std::move(to_server_);
        to_server_.clear();
        auto for_client = std::move(to_client_);
        to_client_.clear();
        for (auto& packet : for_server) server_->HandlePacket(packet);
        for (auto& packet : for_client) client_->HandlePacket(packet);
      }
      now_ms_ += 10;
      client_->Tick(now_ms_);
      server_->Tick(now_ms_);
    }
  }

  std::unique_ptr<SctpAssociation> client_;
  std::unique_ptr<SctpAssociation> server_;
  std::deque<std::vector<uint8_t>> to_server_;
  std::deque<std::vector<uint8_t>> to_client_;
  sctp_common_header server_header_{};
  bool server_header_known_ = false;
  int64_t now_ms_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Pair* pair = new Pair();  // outlives the inputs; usrsctp is process-wide anyway
  std::span<const uint8_t> input(data, size);
  CheckDcep(input);
  pair->Feed(input);
  return 0;
}

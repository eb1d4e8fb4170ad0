#include "janus_participant.h"

#include <ifaddrs.h>
#include <net/if.h>

#include "common/log.h"

namespace auralink::bench {
namespace {

class JanusParticipant : public client::LoadParticipant {
 public:
  JanusParticipant(net::EventLoop* loop, std::string url, std::shared_ptr<JanusRoomState> room,
                   client::LoadParticipantSpec spec, std::unique_ptr<client::RoomClient> media)
      : loop_(loop),
        url_(std::move(url)),
        room_(std::move(room)),
        spec_(std::move(spec)),
        media_(std::move(media)) {}

  Status Start() override {
    auto session = JanusSession::Connect(loop_, url_, [this](const Status& ready) {
      if (!ready.ok()) return Fail(ready);
      session_->Attach(
          "janus.plugin.videoroom", [this](const nlohmann::json& event) { OnEvent(event); },
          [this](uint64_t handle) {
            if (handle == 0) return Fail(Status::Error("Janus: attach to the VideoRoom failed"));
            handle_ = handle;
            Join();
          });
    });
    if (!session.ok()) return session.status();
    session_ = std::move(*session);
    return Status::Ok();
  }

  void Leave() override {
    media_->Leave();
    if (session_) session_->Close();
  }

  client::RoomClient& media() override { return *media_; }

 private:
  bool publisher() const { return spec_.index < 0; }

  void Join() {
    nlohmann::json body = {{"request", "join"}, {"room", room_->room}};
    if (publisher()) {
      body["ptype"] = "publisher";
      body["display"] = "publisher";
    } else {
      body["ptype"] = "subscriber";
      body["streams"] = nlohmann::json::array({{{"feed", room_->publisher_feed.load()}}});
    }
    session_->Message(handle_, body);
  }

  void OnEvent(const nlohmann::json& event) {
    AURALINK_LOG(kDebug) << "janus participant " << spec_.index << ": " << event.dump();
    const std::string kind = event.value("janus", "");
    if (kind == "hangup") return Fail(Status::Error("Janus hung up: " + event.value("reason", "")));
    if (kind != "event") return;  // webrtcup, media, slowlink: informational
    const nlohmann::json& data = event["plugindata"]["data"];
    if (data.contains("error")) return Fail(Status::Error("Janus: " + data["error"].dump()));
    const std::string videoroom = data.value("videoroom", "");
    const nlohmann::json jsep = event.value("jsep", nlohmann::json());
    if (publisher() && videoroom == "joined") {
      const uint64_t feed = data.value("id", uint64_t{0});
      auto offer = media_->CreatePublisherOffer(spec_.publish, "active");
      if (!offer.ok()) return Fail(offer.status());
      session_->Message(
          handle_,
          {{"request", "publish"}, {"audio", spec_.publish.audio}, {"video", spec_.publish.video}},
          {{"type", "offer"}, {"sdp", *offer}});
      session_->TrickleCompleted(handle_);
      media_->MarkJoined(std::to_string(feed));
      room_->publisher_feed = feed;
      return;
    }
    if (publisher() && jsep.is_object() && jsep.value("type", "") == "answer") {
      Status set = media_->SetPublisherAnswer(jsep.value("sdp", ""));
      if (!set.ok()) Fail(set);
      return;
    }
    if (!publisher() && jsep.is_object() && jsep.value("type", "") == "offer") {
      auto answer = media_->AnswerServerOffer(jsep.value("sdp", ""));
      if (!answer.ok()) return Fail(answer.status());
      session_->Message(handle_, {{"request", "start"}, {"room", room_->room}},
                        {{"type", "answer"}, {"sdp", *answer}});
      session_->TrickleCompleted(handle_);
      if (!joined_) {
        joined_ = true;
        media_->MarkJoined("subscriber-" + std::to_string(spec_.index));
      }
    }
  }

  void Fail(const Status& why) {
    AURALINK_LOG(kWarning) << "janus participant " << spec_.index << ": " << why.message();
    if (spec_.callbacks.on_disconnected) spec_.callbacks.on_disconnected(why);
  }

  net::EventLoop* loop_;
  std::string url_;
  std::shared_ptr<JanusRoomState> room_;
  client::LoadParticipantSpec spec_;
  std::unique_ptr<client::RoomClient> media_;
  std::unique_ptr<JanusSession> session_;
  uint64_t handle_ = 0;
  bool joined_ = false;
};

}  // namespace

std::optional<std::string> FirstNonLoopbackIpv4() {
  ifaddrs* addresses = nullptr;
  if (getifaddrs(&addresses) != 0) return std::nullopt;
  std::optional<std::string> found;
  for (ifaddrs* entry = addresses; entry != nullptr && !found; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET ||
        (entry->ifa_flags & IFF_LOOPBACK) || !(entry->ifa_flags & IFF_UP))
      continue;
    auto address = net::SocketAddress::FromSockaddr(entry->ifa_addr, sizeof(sockaddr_in));
    if (address) found = address->ip();
  }
  freeifaddrs(addresses);
  return found;
}

client::LoadParticipantFactory JanusParticipants(const std::string& url,
                                                 std::shared_ptr<JanusRoomState> room,
                                                 const std::string& bind_ip) {
  return [url, room, bind_ip](net::EventLoop* loop, const client::LoadParticipantSpec& spec)
             -> StatusOr<std::unique_ptr<client::LoadParticipant>> {
    client::RoomClientOptions options;
    options.certificate = spec.certificate;
    options.bind_ip = bind_ip;
    options.decrypt_media = spec.measured;
    options.transport_feedback_interval_ms = spec.transport_feedback_interval_ms;
    options.subscriber_ice_controlling =
        false;  // Janus offers, so Janus controls (RFC 8445 §6.1.1)
    auto media = client::RoomClient::Create(loop, options, spec.callbacks);
    if (!media.ok()) return media.status();
    return std::unique_ptr<client::LoadParticipant>(
        new JanusParticipant(loop, url, room, spec, std::move(*media)));
  };
}

}  // namespace auralink::bench

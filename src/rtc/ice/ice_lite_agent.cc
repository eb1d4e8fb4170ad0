#include "rtc/ice/ice_lite_agent.h"

#include <algorithm>
#include <string_view>

#include "rtc/ice/stun_packet.h"

namespace auralink::rtc {
namespace {

// ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4).
bool IsIceChars(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
  });
}

Status ValidateCredentials(const std::string& ufrag, const std::string& pwd) {
  if (ufrag.size() < 4 || ufrag.size() > 256 || !IsIceChars(ufrag))
    return Status::Error("ICE ufrag must be 4..256 ice-chars");
  if (pwd.size() < 22 || pwd.size() > 256 || !IsIceChars(pwd))
    return Status::Error("ICE pwd must be 22..256 ice-chars");
  return Status::Ok();
}

// RFC 8445 §7.2.2: the USERNAME of a check is "receiver-ufrag:sender-ufrag". An empty
// `remote_ufrag` accepts any sender.
bool UsernameMatches(std::string_view username, std::string_view local_ufrag,
                     std::string_view remote_ufrag) {
  const size_t colon = username.find(':');
  if (colon == std::string_view::npos) return false;
  if (username.substr(0, colon) != local_ufrag) return false;
  return remote_ufrag.empty() || username.substr(colon + 1) == remote_ufrag;
}

}  // namespace

const char* IceConnectionStateName(IceConnectionState state) {
  switch (state) {
    case IceConnectionState::kNew:
      return "new";
    case IceConnectionState::kConnected:
      return "connected";
    case IceConnectionState::kDisconnected:
      return "disconnected";
  }
  return "unknown";
}

StatusOr<std::unique_ptr<IceLiteAgent>> IceLiteAgent::Create(IceLiteAgentConfig config) {
  AURALINK_RETURN_IF_ERROR(ValidateCredentials(config.local_ufrag, config.local_pwd));
  if (config.consent_timeout_ms <= 0) return Status::Error("consent timeout must be positive");
  if (config.max_valid_addresses == 0) return Status::Error("max_valid_addresses must be >= 1");
  return std::unique_ptr<IceLiteAgent>(new IceLiteAgent(std::move(config)));
}

void IceLiteAgent::SetRemoteCredentials(std::string ufrag, std::string pwd) {
  remote_ufrag_ = std::move(ufrag);
  remote_pwd_ = std::move(pwd);
}

Status IceLiteAgent::RestartWithLocalCredentials(std::string ufrag, std::string pwd) {
  AURALINK_RETURN_IF_ERROR(ValidateCredentials(ufrag, pwd));
  // A second restart before the first completed: the peer still checks with the credentials it
  // last succeeded with, which are the ones kept.
  if (previous_.local_ufrag.empty()) previous_ = {config_.local_ufrag, std::move(local_key_)};
  remote_ufrag_.clear();
  remote_pwd_.clear();
  config_.local_ufrag = std::move(ufrag);
  config_.local_pwd = std::move(pwd);
  local_key_ = StunIntegrityKey(config_.local_pwd);
  return Status::Ok();
}

IceLiteAgent::ValidAddress* IceLiteAgent::FindValid(const net::SocketAddress& address) {
  for (auto& valid : valid_) {
    if (valid.address == address) return &valid;
  }
  return nullptr;
}

bool IceLiteAgent::IsValidAddress(const net::SocketAddress& address, int64_t now_ms) const {
  for (const auto& valid : valid_) {
    if (valid.address == address) return now_ms - valid.last_check_ms <= config_.consent_timeout_ms;
  }
  return false;
}

std::optional<IceConnectionState> IceLiteAgent::SetState(IceConnectionState state) {
  if (state == state_) return std::nullopt;
  state_ = state;
  return state;
}

IceStunResult IceLiteAgent::HandleStun(std::span<const uint8_t> bytes,
                                       const net::SocketAddress& from, int64_t now_ms) {
  IceStunResult result;
  if (!IsStunPacket(bytes)) {
    ++counters_.not_stun;
    return result;
  }
  auto parsed = StunPacket::Parse(bytes);
  if (!parsed.ok()) {
    ++counters_.malformed;
    return result;
  }
  const StunPacket& packet = *parsed;
  if (packet.method() != kStunMethodBinding) {
    ++counters_.unexpected_message;
    return result;
  }
  if (packet.message_class() == StunClass::kIndication) {
    ++counters_.indications;
    return result;
  }
  if (packet.message_class() != StunClass::kRequest) {
    ++counters_.unexpected_message;
    return result;
  }
  if (!packet.has_fingerprint()) {
    ++counters_.missing_fingerprint;
    return result;
  }
  const StunTransactionId& id = packet.transaction_id();
  // RFC 5389 §10.1.2: unauthenticated requests get errors without MESSAGE-INTEGRITY.
  if (!packet.username() || !packet.has_message_integrity()) {
    ++counters_.bad_request;
    result.response = BuildStunBindingErrorResponse(id, 400, StunIntegrityKey());
    return result;
  }
  // Which generation of credentials the check uses; responses are keyed with its password.
  const StunIntegrityKey* key = nullptr;
  const bool current = UsernameMatches(*packet.username(), config_.local_ufrag, remote_ufrag_);
  if (current) {
    key = &local_key_;
  } else if (restart_pending() &&
             UsernameMatches(*packet.username(), previous_.local_ufrag, /*remote_ufrag=*/"")) {
    // Any remote half: a peer that restarts from its side may send its new ufrag with our old
    // one until our answer reaches it.
    key = &previous_.key;
  }
  if (key == nullptr || !packet.VerifyMessageIntegrity(*key)) {
    ++counters_.unauthorized;
    result.response = BuildStunBindingErrorResponse(id, 401, StunIntegrityKey());
    return result;
  }
  if (!packet.unknown_required_attributes().empty()) {
    ++counters_.unknown_attribute;
    result.response =
        BuildStunBindingErrorResponse(id, 420, *key, packet.unknown_required_attributes());
    return result;
  }
  // A lite agent is always controlled (RFC 8445 §6.1.1); a peer that also claims the controlled
  // role is told to switch (§7.3.1.1), which a full agent does on 487.
  if (packet.ice_controlled()) {
    ++counters_.role_conflict;
    result.response = BuildStunBindingErrorResponse(id, 487, *key);
    return result;
  }

  ++counters_.valid_requests;
  result.response = BuildStunBindingSuccessResponse(id, from, *key);
  if (!current) {
    ++counters_.previous_credentials;
  } else if (restart_pending()) {
    // The peer has the new credentials: the restart is done and the old ones are refused.
    previous_ = {};
    result.restart_completed = true;
  }

  ValidAddress* valid = FindValid(from);
  if (valid == nullptr) {
    if (valid_.size() >= config_.max_valid_addresses) {
      // Forget the stalest address, but never the selected one.
      auto stalest = valid_.end();
      for (auto it = valid_.begin(); it != valid_.end(); ++it) {
        if (selected_ && it->address == *selected_) continue;
        if (stalest == valid_.end() || it->last_check_ms < stalest->last_check_ms) stalest = it;
      }
      if (stalest != valid_.end()) valid_.erase(stalest);
    }
    valid_.push_back({from, now_ms});
    valid = &valid_.back();
    result.pair_validated = true;
  }
  valid->last_check_ms = now_ms;

  // The controlling agent's latest nomination wins: browsers nominate a new pair after a network
  // change, and a lite agent follows (RFC 8445 §7.3.1.5, §8.1.1).
  if (packet.use_candidate()) {
    result.nominated = true;
    if (!selected_ || !(*selected_ == from)) {
      selected_ = from;
      result.selected_address_changed = true;
    }
  }
  if (selected_ && *selected_ == from) {
    result.state_change = SetState(IceConnectionState::kConnected);
  }
  return result;
}

std::optional<IceConnectionState> IceLiteAgent::Tick(int64_t now_ms) {
  std::erase_if(valid_, [&](const ValidAddress& valid) {
    return now_ms - valid.last_check_ms > config_.consent_timeout_ms &&
           !(selected_ && valid.address == *selected_);
  });
  if (state_ == IceConnectionState::kConnected && selected_) {
    const ValidAddress* valid = FindValid(*selected_);
    if (valid == nullptr || now_ms - valid->last_check_ms > config_.consent_timeout_ms) {
      return SetState(IceConnectionState::kDisconnected);
    }
  }
  return std::nullopt;
}

}  // namespace auralink::rtc

// The answering side of ICE-lite (RFC 8445 §2.5, §7.3) for one transport: it never sends checks,
// it answers the browser's Binding requests, learns valid remote addresses from them and follows
// the browser's nomination (USE-CANDIDATE). Consent freshness (RFC 7675) is judged from the
// requests the browser keeps sending on the selected pair. No sockets and no clock: the caller
// passes bytes, the source address and the time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/media_path_memory.h"
#include "common/status.h"
#include "net/socket_address.h"
#include "rtc/ice/stun_packet.h"

namespace auralink::rtc {

struct IceLiteAgentConfig {
  std::string local_ufrag;  // 4..256 ice-chars (RFC 8839 §5.4)
  std::string local_pwd;    // 22..256 ice-chars
  // RFC 7675 §5.1: consent expires 30 s after the last authenticated check.
  int64_t consent_timeout_ms = 30000;
  // Bound on remembered remote addresses; the oldest is forgotten beyond it.
  size_t max_valid_addresses = 16;
};

enum class IceConnectionState { kNew, kConnected, kDisconnected };

const char* IceConnectionStateName(IceConnectionState state);

// Dropped or refused inputs, by reason.
struct IceLiteAgentCounters {
  uint64_t not_stun = 0;             // failed RFC 7983 demultiplexing
  uint64_t malformed = 0;            // StunPacket::Parse rejected it (incl. bad FINGERPRINT)
  uint64_t missing_fingerprint = 0;  // RFC 8445 §7.2.2 requires FINGERPRINT on checks
  uint64_t unexpected_message = 0;   // responses, non-Binding methods: a lite agent sends nothing
  uint64_t bad_request = 0;          // 400: no USERNAME or MESSAGE-INTEGRITY
  uint64_t unauthorized = 0;         // 401: wrong USERNAME or MESSAGE-INTEGRITY
  uint64_t unknown_attribute = 0;    // 420
  uint64_t role_conflict = 0;        // 487: the peer also claims the controlled role
  uint64_t indications = 0;          // Binding indications (keepalives), answered with nothing
  uint64_t valid_requests = 0;
  uint64_t previous_credentials = 0;  // valid checks with the credentials a restart replaced
};

struct IceStunResult {
  std::vector<uint8_t> response;  // to send back to `from`; empty: send nothing
  bool pair_validated = false;    // first authenticated check from this address
  bool nominated = false;         // the check carried USE-CANDIDATE
  bool selected_address_changed = false;
  // The first check with the credentials of a restart succeeded: the previous ones are retired.
  bool restart_completed = false;
  std::optional<IceConnectionState> state_change;
};

class IceLiteAgent : public MediaPathAllocated {
 public:
  static StatusOr<std::unique_ptr<IceLiteAgent>> Create(IceLiteAgentConfig config);

  // Optional: once known, the remote ufrag must match the second half of USERNAME. The remote
  // password is not needed by a lite agent, whose responses are keyed with its own password.
  void SetRemoteCredentials(std::string ufrag, std::string pwd);
  // ICE restart (RFC 8445 §9): new local credentials. Media keeps flowing on the selected pair
  // during a restart, and the peer goes on checking it (consent, RFC 7675) with the old
  // credentials until it has applied the description that carries the new ones; so the previous
  // credentials stay accepted until the first check with the new ones succeeds. Until the peer's
  // new description arrives (SetRemoteCredentials), a check with our new ufrag and password is
  // accepted whatever its remote half says: the peer restarts its own credentials too.
  // Addresses validated so far stay valid, and the selected address is kept.
  Status RestartWithLocalCredentials(std::string ufrag, std::string pwd);
  // The ufrag replaced by a restart while its credentials are still accepted; empty otherwise.
  const std::string& previous_local_ufrag() const { return previous_.local_ufrag; }
  bool restart_pending() const { return !previous_.local_ufrag.empty(); }

  // Handles one STUN datagram (or RFC 4571 frame) from `from`.
  IceStunResult HandleStun(std::span<const uint8_t> bytes, const net::SocketAddress& from,
                           int64_t now_ms);

  // Expires consent; returns the new state when it changed.
  std::optional<IceConnectionState> Tick(int64_t now_ms);

  IceConnectionState state() const { return state_; }
  const std::optional<net::SocketAddress>& selected_address() const { return selected_; }
  // True when `address` has sent an authenticated check within the consent timeout; media from
  // other addresses should be dropped.
  bool IsValidAddress(const net::SocketAddress& address, int64_t now_ms) const;
  const IceLiteAgentCounters& counters() const { return counters_; }
  const std::string& local_ufrag() const { return config_.local_ufrag; }
  const std::string& local_pwd() const { return config_.local_pwd; }

 private:
  struct ValidAddress {
    net::SocketAddress address;
    int64_t last_check_ms = 0;
  };

  // Local credentials of one generation (RFC 8445 §9: a restart starts a new one).
  struct Credentials {
    std::string local_ufrag;
    StunIntegrityKey key;  // keyed with that generation's local password
  };

  explicit IceLiteAgent(IceLiteAgentConfig config)
      : config_(std::move(config)), local_key_(config_.local_pwd) {}
  ValidAddress* FindValid(const net::SocketAddress& address);
  std::optional<IceConnectionState> SetState(IceConnectionState state);

  IceLiteAgentConfig config_;
  StunIntegrityKey local_key_;  // config_.local_pwd's, keyed once: every check is answered with it
  std::string remote_ufrag_;
  std::string remote_pwd_;
  Credentials previous_;  // local_ufrag empty: no restart pending
  std::vector<ValidAddress> valid_;
  std::optional<net::SocketAddress> selected_;
  IceConnectionState state_ = IceConnectionState::kNew;
  IceLiteAgentCounters counters_;
};

}  // namespace auralink::rtc

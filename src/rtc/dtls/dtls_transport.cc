#include "rtc/dtls/dtls_transport.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace auralink::rtc {
namespace {

// RFC 5764 §4.2.
constexpr char kSrtpExporterLabel[] = "EXTRACTOR-dtls_srtp";
// Largest plaintext of one record (RFC 5246 §6.2.1).
constexpr size_t kMaxRecordPlaintext = 16384;
constexpr size_t kRecordHeaderSize = 13;  // RFC 6347 §4.1: type, version, epoch, seq, length

int TransportIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// A datagram must be a whole number of DTLS 1.x records (RFC 6347 §4.1). Checking this before
// OpenSSL sees the bytes lets garbage be counted instead of silently discarded inside it.
bool IsWellFormedRecordSequence(std::span<const uint8_t> datagram) {
  if (datagram.empty()) return false;
  size_t offset = 0;
  while (offset < datagram.size()) {
    if (datagram.size() - offset < kRecordHeaderSize) return false;
    const uint8_t content_type = datagram[offset];
    // change_cipher_spec(20), alert(21), handshake(22), application_data(23), heartbeat(24).
    if (content_type < 20 || content_type > 24) return false;
    // DTLS 1.0 is 0xFEFF and DTLS 1.2 0xFEFD.
    if (datagram[offset + 1] != 0xFE) return false;
    const size_t length = (size_t{datagram[offset + 11]} << 8) | datagram[offset + 12];
    offset += kRecordHeaderSize + length;
  }
  return offset == datagram.size();
}

}  // namespace

// OpenSSL's C callbacks, given access to the transport they serve.
struct DtlsTransportOpenSsl {
  static DtlsTransport* FromSsl(const SSL* ssl) {
    return static_cast<DtlsTransport*>(SSL_get_ex_data(ssl, TransportIndex()));
  }

  // The write side is a BIO of our own so that datagram boundaries survive: a memory BIO would
  // run every record of a flight together.
  static int Write(BIO* bio, const char* data, int size) {
    auto* transport = static_cast<DtlsTransport*>(BIO_get_data(bio));
    if (transport == nullptr || size <= 0) return 0;
    transport->OnRecordWritten(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(size));
    return size;
  }

  static long Control(BIO* bio, int command, long, void*) {
    auto* transport = static_cast<DtlsTransport*>(BIO_get_data(bio));
    if (transport == nullptr) return 0;
    switch (command) {
      case BIO_CTRL_FLUSH:
        transport->FinishDatagram();
        return 1;
      case BIO_CTRL_WPENDING:
        // OpenSSL fits the next handshake fragment into what is left of this datagram.
        return static_cast<long>(transport->open_datagram_.size());
      case BIO_CTRL_DGRAM_QUERY_MTU:
      case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
        return static_cast<long>(transport->options_.mtu);
      default:
        return 0;  // includes BIO_CTRL_DGRAM_GET_MTU_OVERHEAD: the MTU we are given is payload
    }
  }

  static int CreateBio(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
  }

  static int DestroyBio(BIO*) { return 1; }

  static BIO_METHOD* DatagramWriterMethod() {
    static BIO_METHOD* method = [] {
      BIO_METHOD* created =
          BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "auralink DTLS datagram writer");
      if (created != nullptr) {
        BIO_meth_set_write(created, &Write);
        BIO_meth_set_ctrl(created, &Control);
        BIO_meth_set_create(created, &CreateBio);
        BIO_meth_set_destroy(created, &DestroyBio);
      }
      return created;
    }();
    return method;
  }

  // The peer's certificate is self-signed; its only authentication is the SDP fingerprint
  // (RFC 5763 §5), so the chain verdict is ignored and the leaf's hash decides.
  static int Verify(int, X509_STORE_CTX* store) {
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    DtlsTransport* transport = ssl != nullptr ? FromSsl(ssl) : nullptr;
    if (transport == nullptr) return 0;
    if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;
    return transport->PeerCertificateMatches(X509_STORE_CTX_get_current_cert(store)) ? 1 : 0;
  }

  static void Info(const SSL* ssl, int where, int value) {
    if ((where & SSL_CB_READ_ALERT) != SSL_CB_READ_ALERT) return;
    DtlsTransport* transport = FromSsl(ssl);
    if (transport != nullptr && (value >> 8) == SSL3_AL_FATAL) {
      transport->peer_alert_ = SSL_alert_desc_string_long(value);
    }
  }

  static unsigned int Timer(SSL* ssl, unsigned int previous_us) {
    DtlsTransport* transport = FromSsl(ssl);
    return transport != nullptr ? transport->NextRetransmitTimeoutUs(previous_us) : 1000000;
  }
};

std::string_view DtlsStateName(DtlsState state) {
  switch (state) {
    case DtlsState::kNew:
      return "new";
    case DtlsState::kConnecting:
      return "connecting";
    case DtlsState::kConnected:
      return "connected";
    case DtlsState::kFailed:
      return "failed";
    case DtlsState::kClosed:
      return "closed";
  }
  return "unknown";
}

bool IsDtlsPacket(std::span<const uint8_t> datagram) {
  return !datagram.empty() && datagram[0] >= 20 && datagram[0] <= 63;
}

StatusOr<std::unique_ptr<DtlsTransport>> DtlsTransport::Create(
    std::shared_ptr<const DtlsCertificate> certificate, DtlsRole role,
    DtlsFingerprint remote_fingerprint, DtlsTransportCallbacks callbacks,
    DtlsTransportOptions options) {
  if (certificate == nullptr) return Status::Error("DTLS transport needs a certificate");
  if (!callbacks.send_datagram) return Status::Error("DTLS transport needs send_datagram");
  if (options.mtu < 256 || options.mtu > 65507) {
    return Status::Error("DTLS MTU must be within 256..65507 bytes");
  }
  if (options.initial_retransmit_timeout_ms <= 0 ||
      options.max_retransmit_timeout_ms < options.initial_retransmit_timeout_ms ||
      options.max_retransmit_timeout_ms > 60000) {
    return Status::Error("DTLS retransmission timeouts must satisfy 0 < initial <= max <= 60 s");
  }
  // An unsupported algorithm or a digest of the wrong size could never match.
  auto probe = DtlsFingerprint::OfCertificate({}, remote_fingerprint.algorithm);
  if (!probe.ok()) return probe.status();
  if (probe->digest.size() != remote_fingerprint.digest.size()) {
    return Status::Error("remote fingerprint has the wrong length for " +
                         remote_fingerprint.algorithm);
  }
  if (DtlsTransportOpenSsl::DatagramWriterMethod() == nullptr) {
    return Status::Error("creating the DTLS datagram BIO method failed");
  }

  std::unique_ptr<DtlsTransport> transport(new DtlsTransport(
      std::move(certificate), role, std::move(remote_fingerprint), std::move(callbacks), options));
  ERR_clear_error();
  SSL* ssl = SSL_new(transport->certificate_->context(role));
  if (ssl == nullptr) return Status::Error(transport->DescribeOpenSslFailure("SSL_new"));
  transport->ssl_ = ssl;
  SSL_set_ex_data(ssl, TransportIndex(), transport.get());

  BIO* incoming = BIO_new(BIO_s_mem());
  BIO* outgoing = BIO_new(DtlsTransportOpenSsl::DatagramWriterMethod());
  if (incoming == nullptr || outgoing == nullptr) {
    BIO_free(incoming);
    BIO_free(outgoing);
    return Status::Error("allocating the DTLS BIOs failed");
  }
  // An empty memory BIO means "wait for the next datagram", not end of stream.
  BIO_set_mem_eof_return(incoming, -1);
  BIO_set_data(outgoing, transport.get());
  SSL_set_bio(ssl, incoming, outgoing);
  transport->incoming_ = incoming;

  if (SSL_set_mtu(ssl, static_cast<long>(transport->options_.mtu)) <= 0) {
    return Status::Error("OpenSSL rejected the DTLS MTU");
  }
  DTLS_set_timer_cb(ssl, &DtlsTransportOpenSsl::Timer);
  SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                 &DtlsTransportOpenSsl::Verify);
  SSL_set_info_callback(ssl, &DtlsTransportOpenSsl::Info);
  if (role == DtlsRole::kClient) {
    SSL_set_connect_state(ssl);
  } else {
    SSL_set_accept_state(ssl);
  }
  return transport;
}

DtlsTransport::DtlsTransport(std::shared_ptr<const DtlsCertificate> certificate, DtlsRole role,
                             DtlsFingerprint remote_fingerprint, DtlsTransportCallbacks callbacks,
                             DtlsTransportOptions options)
    : certificate_(std::move(certificate)),
      role_(role),
      remote_fingerprint_(std::move(remote_fingerprint)),
      callbacks_(std::move(callbacks)),
      options_(options),
      read_buffer_(kMaxRecordPlaintext + 1024) {}

DtlsTransport::~DtlsTransport() {
  if (ssl_ != nullptr) {
    if (BIO* outgoing = SSL_get_wbio(ssl_); outgoing != nullptr) BIO_set_data(outgoing, nullptr);
    SSL_free(ssl_);
  }
}

Status DtlsTransport::Start(int64_t now_ms) {
  if (state_ != DtlsState::kNew) return Status::Error("DTLS transport already started");
  last_now_ms_ = now_ms;
  SetState(DtlsState::kConnecting);
  if (role_ == DtlsRole::kClient) AdvanceHandshake();
  FinishDatagram();
  SendPendingDatagrams();
  RefreshTimer();
  return Status::Ok();
}

void DtlsTransport::HandleDatagram(std::span<const uint8_t> datagram, int64_t now_ms) {
  last_now_ms_ = now_ms;
  ++counters_.datagrams_received;
  const bool running = state_ == DtlsState::kConnecting || state_ == DtlsState::kConnected;
  if (!running || !IsWellFormedRecordSequence(datagram)) {
    ++counters_.datagrams_rejected;
    return;
  }
  if (BIO_write(incoming_, datagram.data(), static_cast<int>(datagram.size())) !=
      static_cast<int>(datagram.size())) {
    ++counters_.datagrams_rejected;
    return;
  }
  if (state_ == DtlsState::kConnecting) AdvanceHandshake();
  if (state_ == DtlsState::kConnected) ReadApplicationData();
  // Whatever OpenSSL left unread belongs to no later datagram.
  (void)BIO_reset(incoming_);
  FinishDatagram();
  SendPendingDatagrams();
  RefreshTimer();
}

void DtlsTransport::OnTimer(int64_t now_ms) {
  last_now_ms_ = now_ms;
  if (state_ != DtlsState::kConnecting && state_ != DtlsState::kConnected) return;
  ERR_clear_error();
  if (DTLSv1_handle_timeout(ssl_) < 0) {
    if (ERR_GET_REASON(ERR_peek_error()) == SSL_R_READ_TIMEOUT_EXPIRED) {
      ERR_clear_error();
      Fail("DTLS handshake timed out: the peer stopped answering retransmissions");
    } else {
      Fail(DescribeOpenSslFailure("DTLS retransmission failed"));
    }
  }
  FinishDatagram();
  SendPendingDatagrams();
  RefreshTimer();
}

std::optional<int64_t> DtlsTransport::NextTimeoutMs() const {
  if (state_ != DtlsState::kConnecting && state_ != DtlsState::kConnected) return std::nullopt;
  return timer_deadline_ms_;
}

void DtlsTransport::RefreshTimer() {
  timer_deadline_ms_.reset();
  if (state_ != DtlsState::kConnecting && state_ != DtlsState::kConnected) return;
  timeval left{};
  if (DTLSv1_get_timeout(ssl_, &left) != 1) return;
  timer_deadline_ms_ =
      last_now_ms_ + static_cast<int64_t>(left.tv_sec) * 1000 + (left.tv_usec + 999) / 1000;
}

Status DtlsTransport::SendApplicationData(std::span<const uint8_t> data) {
  if (state_ != DtlsState::kConnected) return Status::Error("DTLS transport is not connected");
  if (data.empty()) return Status::Error("DTLS application data is empty");
  if (data.size() > max_application_data_size()) {
    return Status::Error("DTLS application data of " + std::to_string(data.size()) +
                         " bytes exceeds one record within the MTU");
  }
  ERR_clear_error();
  const int written = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
  Status status = Status::Ok();
  if (written != static_cast<int>(data.size())) {
    status = Status::Error(DescribeOpenSslFailure("DTLS write failed"));
  }
  FinishDatagram();
  SendPendingDatagrams();
  RefreshTimer();
  return status;
}

size_t DtlsTransport::max_application_data_size() const {
  return std::min(DTLS_get_data_mtu(ssl_), kMaxRecordPlaintext);
}

void DtlsTransport::Close() {
  if (state_ == DtlsState::kConnected) {
    ERR_clear_error();
    (void)SSL_shutdown(ssl_);
    ERR_clear_error();
    FinishDatagram();
    SendPendingDatagrams();
  }
  if (state_ != DtlsState::kFailed && state_ != DtlsState::kClosed) {
    SetState(DtlsState::kClosed);
  }
}

void DtlsTransport::OnRecordWritten(const uint8_t* data, size_t size) {
  if (!open_datagram_.empty() && open_datagram_.size() + size > options_.mtu) FinishDatagram();
  open_datagram_.insert(open_datagram_.end(), data, data + size);
}

void DtlsTransport::FinishDatagram() {
  if (open_datagram_.empty()) return;
  finished_datagrams_.push_back(std::move(open_datagram_));
  open_datagram_.clear();
}

bool DtlsTransport::PeerCertificateMatches(X509* certificate) {
  if (certificate == nullptr) return false;
  const int size = i2d_X509(certificate, nullptr);
  if (size <= 0) return false;
  std::vector<uint8_t> der(static_cast<size_t>(size));
  unsigned char* out = der.data();
  i2d_X509(certificate, &out);
  auto fingerprint = DtlsFingerprint::OfCertificate(der, remote_fingerprint_.algorithm);
  if (!fingerprint.ok() || fingerprint->digest != remote_fingerprint_.digest) {
    fingerprint_mismatch_ = true;
    return false;
  }
  return true;
}

unsigned int DtlsTransport::NextRetransmitTimeoutUs(unsigned int previous_us) const {
  const uint64_t initial_us = uint64_t{1000} * options_.initial_retransmit_timeout_ms;
  const uint64_t max_us = uint64_t{1000} * options_.max_retransmit_timeout_ms;
  if (previous_us == 0) return static_cast<unsigned int>(initial_us);
  return static_cast<unsigned int>(std::min<uint64_t>(uint64_t{previous_us} * 2, max_us));
}

void DtlsTransport::AdvanceHandshake() {
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_);
  if (result == 1) {
    CompleteHandshake();
    return;
  }
  const int error = SSL_get_error(ssl_, result);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
  Fail(DescribeOpenSslFailure("DTLS handshake failed"));
}

void DtlsTransport::ReadApplicationData() {
  while (state_ == DtlsState::kConnected) {
    ERR_clear_error();
    const int size = SSL_read(ssl_, read_buffer_.data(), static_cast<int>(read_buffer_.size()));
    if (size > 0) {
      ++counters_.application_records_received;
      if (callbacks_.on_application_data) {
        callbacks_.on_application_data(
            std::span<const uint8_t>(read_buffer_.data(), static_cast<size_t>(size)));
      }
      continue;
    }
    const int error = SSL_get_error(ssl_, size);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
    if (error == SSL_ERROR_ZERO_RETURN) {
      // The peer sent close_notify; answer with ours (RFC 5246 §7.2.1).
      (void)SSL_shutdown(ssl_);
      ERR_clear_error();
      SetState(DtlsState::kClosed);
      return;
    }
    Fail(DescribeOpenSslFailure("DTLS read failed"));
    return;
  }
}

void DtlsTransport::CompleteHandshake() {
  // The verify callback has already checked this; a handshake that skipped it must not pass.
  if (!PeerCertificateMatches(SSL_get0_peer_certificate(ssl_))) {
    Fail("remote certificate does not match the a=fingerprint of its SDP");
    return;
  }
  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl_);
  const std::optional<SrtpProfile> profile =
      selected != nullptr ? SrtpProfileFromId(static_cast<uint16_t>(selected->id)) : std::nullopt;
  if (!profile) {
    Fail("the peer negotiated no supported DTLS-SRTP profile (RFC 5764 use_srtp)");
    return;
  }
  // RFC 5764 §4.2: client key, server key, client salt, server salt.
  const size_t key_size = SrtpMasterKeyLength(*profile);
  const size_t salt_size = SrtpMasterSaltLength(*profile);
  std::vector<uint8_t> material(2 * (key_size + salt_size));
  ERR_clear_error();
  if (SSL_export_keying_material(ssl_, material.data(), material.size(), kSrtpExporterLabel,
                                 std::strlen(kSrtpExporterLabel), nullptr, 0, 0) != 1) {
    Fail(DescribeOpenSslFailure("exporting the DTLS-SRTP keying material failed"));
    return;
  }
  auto key_salt = [&](bool client) {
    std::vector<uint8_t> out;
    const uint8_t* key = material.data() + (client ? 0 : key_size);
    const uint8_t* salt = material.data() + 2 * key_size + (client ? 0 : salt_size);
    out.insert(out.end(), key, key + key_size);
    out.insert(out.end(), salt, salt + salt_size);
    return out;
  };
  DtlsSrtpKeys keys;
  keys.profile = *profile;
  keys.local_key_salt = key_salt(role_ == DtlsRole::kClient);
  keys.remote_key_salt = key_salt(role_ != DtlsRole::kClient);
  OPENSSL_cleanse(material.data(), material.size());
  srtp_keys_ = std::move(keys);
  SetState(DtlsState::kConnected);
}

void DtlsTransport::SendPendingDatagrams() {
  if (finished_datagrams_.empty()) return;
  // A callback may send again (SCTP answering data); it then flushes its own datagrams.
  std::vector<std::vector<uint8_t>> ready;
  ready.swap(finished_datagrams_);
  for (const auto& datagram : ready) {
    ++counters_.datagrams_sent;
    callbacks_.send_datagram(datagram);
  }
}

void DtlsTransport::Fail(std::string reason) {
  if (state_ == DtlsState::kFailed || state_ == DtlsState::kClosed) return;
  failure_reason_ = std::move(reason);
  SetState(DtlsState::kFailed);
}

void DtlsTransport::SetState(DtlsState state) {
  if (state_ == state) return;
  state_ = state;
  if (callbacks_.on_state_change) callbacks_.on_state_change(state);
}

std::string DtlsTransport::DescribeOpenSslFailure(const char* what) {
  std::string reason = what;
  if (fingerprint_mismatch_) {
    reason += ": remote certificate does not match the a=fingerprint of its SDP (" +
              remote_fingerprint_.algorithm + ")";
  } else if (!peer_alert_.empty()) {
    reason += ": peer sent fatal alert '" + peer_alert_ + "'";
  } else if (const unsigned long code = ERR_peek_error(); code != 0) {
    char text[256];
    ERR_error_string_n(code, text, sizeof(text));
    reason += ": ";
    reason += text;
  }
  ERR_clear_error();
  return reason;
}

}  // namespace auralink::rtc

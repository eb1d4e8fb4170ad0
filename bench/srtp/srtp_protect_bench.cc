// SRTP cost per 1200-byte RTP packet for each profile and implementation: protect (the SFU does
// it once per subscriber), protect in a fan-out (a cold session per packet, as in an SFU), and
// unprotect (once per published packet), and AesGcm128's seal alone on each register width.
// items_per_second is
// packets/s on one core; /work/shared/MEASURED.md puts the per-core target near 300k SRTP
// packets/s, with the kernel's send path taking ~1.4-2 us of each packet on top of SRTP.
//
//   srtp_protect_bench [--benchmark_repetitions=5 --benchmark_report_aggregates_only=true]

#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>
#include <vector>

#include "rtc/srtp/aes_gcm.h"
#include "rtc/srtp/srtp_session.h"

namespace {

using auralink::rtc::AesGcm128;
using auralink::rtc::SrtpDirection;
using auralink::rtc::SrtpImplementation;
using auralink::rtc::SrtpProfile;
using auralink::rtc::SrtpSession;
using auralink::rtc::SrtpSessionOptions;

constexpr size_t kPacketSize = 1200;
constexpr size_t kCapacity = kPacketSize + 64;

std::vector<uint8_t> MasterKeySalt(SrtpProfile profile) {
  std::vector<uint8_t> key(auralink::rtc::SrtpMasterKeySaltLength(profile));
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(0x30 + i);
  return key;
}

std::unique_ptr<SrtpSession> MakeSession(SrtpProfile profile, SrtpImplementation implementation,
                                         SrtpDirection direction) {
  SrtpSessionOptions options;
  options.implementation = implementation;
  auto session = SrtpSession::Create(profile, MasterKeySalt(profile), direction, options);
  return session.ok() ? std::move(session).value() : nullptr;
}

void WriteRtpPacket(uint8_t* packet, uint16_t sequence) {
  std::memset(packet, 0xA5, kPacketSize);
  const uint8_t header[12] = {0x80, 96, 0, 0, 0, 0, 0x10, 0, 0x12, 0x34, 0x56, 0x78};
  std::memcpy(packet, header, sizeof(header));
  packet[2] = static_cast<uint8_t>(sequence >> 8);
  packet[3] = static_cast<uint8_t>(sequence);
}

void BM_Protect(benchmark::State& state, SrtpProfile profile, SrtpImplementation implementation) {
  auto session = MakeSession(profile, implementation, SrtpDirection::kOutbound);
  if (session == nullptr) {
    state.SkipWithError("creating the SRTP session failed");
    return;
  }
  std::vector<uint8_t> buffer(kCapacity);
  WriteRtpPacket(buffer.data(), 0);
  uint16_t sequence = 0;
  for (auto _ : state) {
    // A new sequence number each time, as a forwarded stream has; the payload bytes are
    // whatever the previous iteration left, which costs the cipher the same.
    buffer[2] = static_cast<uint8_t>(sequence >> 8);
    buffer[3] = static_cast<uint8_t>(sequence);
    ++sequence;
    auto length = session->ProtectRtp(buffer.data(), kPacketSize, buffer.size());
    if (!length.ok()) {
      state.SkipWithError(length.status().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kPacketSize));
}

// A fan-out: one packet protected for each of 256 subscribers in turn, each with its own session
// (own keys), so every protect starts with a cold session as in an SFU.
void BM_ProtectFanOut(benchmark::State& state, SrtpImplementation implementation) {
  constexpr size_t kSubscribers = 256;
  std::vector<std::unique_ptr<SrtpSession>> sessions;
  for (size_t i = 0; i < kSubscribers; ++i) {
    std::vector<uint8_t> key = MasterKeySalt(SrtpProfile::kAeadAes128Gcm);
    key[0] = static_cast<uint8_t>(i);
    key[1] = static_cast<uint8_t>(i >> 8);
    SrtpSessionOptions options;
    options.implementation = implementation;
    auto session =
        SrtpSession::Create(SrtpProfile::kAeadAes128Gcm, key, SrtpDirection::kOutbound, options);
    if (!session.ok()) {
      state.SkipWithError(session.status().message().c_str());
      return;
    }
    sessions.push_back(std::move(*session));
  }
  std::vector<uint8_t> source(kCapacity);
  WriteRtpPacket(source.data(), 0);
  std::vector<uint8_t> buffer(kCapacity);
  uint16_t sequence = 0;
  size_t next = 0;
  for (auto _ : state) {
    if (next == kSubscribers) {
      next = 0;
      ++sequence;
      source[2] = static_cast<uint8_t>(sequence >> 8);
      source[3] = static_cast<uint8_t>(sequence);
    }
    std::memcpy(buffer.data(), source.data(), kPacketSize);
    auto length = sessions[next++]->ProtectRtp(buffer.data(), kPacketSize, buffer.size());
    if (!length.ok()) {
      state.SkipWithError(length.status().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// Each iteration copies one pre-protected packet into a work buffer (~1.2 kB memcpy, included)
// and unprotects it; a fresh session every 4096 packets keeps indices new.
void BM_Unprotect(benchmark::State& state, SrtpProfile profile, SrtpImplementation implementation) {
  constexpr size_t kBatch = 4096;
  auto sender = MakeSession(profile, implementation, SrtpDirection::kOutbound);
  if (sender == nullptr) {
    state.SkipWithError("creating the SRTP session failed");
    return;
  }
  std::vector<std::vector<uint8_t>> packets(kBatch, std::vector<uint8_t>(kCapacity));
  std::vector<size_t> lengths(kBatch);
  for (size_t i = 0; i < kBatch; ++i) {
    WriteRtpPacket(packets[i].data(), static_cast<uint16_t>(i));
    lengths[i] = *sender->ProtectRtp(packets[i].data(), kPacketSize, kCapacity);
  }
  std::unique_ptr<SrtpSession> receiver;
  std::vector<uint8_t> work(kCapacity);
  size_t next = kBatch;
  for (auto _ : state) {
    if (next == kBatch) {
      state.PauseTiming();
      receiver = MakeSession(profile, implementation, SrtpDirection::kInbound);
      next = 0;
      state.ResumeTiming();
    }
    std::memcpy(work.data(), packets[next].data(), lengths[next]);
    auto length = receiver->UnprotectRtp(work.data(), lengths[next]);
    ++next;
    if (!length.ok()) {
      state.SkipWithError(length.status().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(work.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// The AEAD alone on a 1,188-byte payload behind a 12-byte header, as SRTP seals a 1,200-byte
// packet.
void BM_GcmSeal(benchmark::State& state, AesGcm128::Width width) {
  if (!AesGcm128::Available(width)) {
    state.SkipWithError("this CPU lacks the instructions for this width");
    return;
  }
  const std::vector<uint8_t> key(AesGcm128::kKeySize, 0x42);
  std::vector<uint8_t> iv(AesGcm128::kIvSize, 0x07);
  const AesGcm128 gcm(std::span<const uint8_t, AesGcm128::kKeySize>(key.data(), key.size()), width);
  std::vector<uint8_t> packet(kCapacity);
  WriteRtpPacket(packet.data(), 0);
  uint8_t tag[AesGcm128::kTagSize];
  for (auto _ : state) {
    ++iv[11];
    gcm.Seal(std::span<const uint8_t, AesGcm128::kIvSize>(iv.data(), iv.size()),
             {packet.data(), 12}, {}, packet.data() + 12, kPacketSize - 12, tag);
    benchmark::DoNotOptimize(tag);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kPacketSize));
}

BENCHMARK_CAPTURE(BM_GcmSeal, registers16, AesGcm128::Width::k128);
BENCHMARK_CAPTURE(BM_GcmSeal, registers64, AesGcm128::Width::k512);
BENCHMARK_CAPTURE(BM_Protect, AesCmHmacSha1_80_libsrtp, SrtpProfile::kAes128CmHmacSha1_80,
                  SrtpImplementation::kLibsrtp);
BENCHMARK_CAPTURE(BM_Protect, AeadAes128Gcm_libsrtp, SrtpProfile::kAeadAes128Gcm,
                  SrtpImplementation::kLibsrtp);
BENCHMARK_CAPTURE(BM_Protect, AeadAes128Gcm_openssl, SrtpProfile::kAeadAes128Gcm,
                  SrtpImplementation::kOpenSsl);
BENCHMARK_CAPTURE(BM_Protect, AeadAes128Gcm_cpu_aes, SrtpProfile::kAeadAes128Gcm,
                  SrtpImplementation::kCpuAes);
BENCHMARK_CAPTURE(BM_ProtectFanOut, AeadAes128Gcm_openssl, SrtpImplementation::kOpenSsl);
BENCHMARK_CAPTURE(BM_ProtectFanOut, AeadAes128Gcm_cpu_aes, SrtpImplementation::kCpuAes);
BENCHMARK_CAPTURE(BM_Unprotect, AesCmHmacSha1_80_libsrtp, SrtpProfile::kAes128CmHmacSha1_80,
                  SrtpImplementation::kLibsrtp);
BENCHMARK_CAPTURE(BM_Unprotect, AeadAes128Gcm_libsrtp, SrtpProfile::kAeadAes128Gcm,
                  SrtpImplementation::kLibsrtp);
BENCHMARK_CAPTURE(BM_Unprotect, AeadAes128Gcm_openssl, SrtpProfile::kAeadAes128Gcm,
                  SrtpImplementation::kOpenSsl);
BENCHMARK_CAPTURE(BM_Unprotect, AeadAes128Gcm_cpu_aes, SrtpProfile::kAeadAes128Gcm,
                  SrtpImplementation::kCpuAes);

}  // namespace

BENCHMARK_MAIN();

// What the server spends on one ICE consent check (RFC 7675): a browser sends one every few
// seconds on each connection, so a server with thousands of subscribers answers thousands per
// second. Parse, verify MESSAGE-INTEGRITY and FINGERPRINT, and build the authenticated response.
//   build/bench/rtp/stun_check_bench --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "net/socket_address.h"
#include "rtc/ice/ice_lite_agent.h"
#include "rtc/ice/stun_packet.h"

namespace {

using auralink::rtc::IceLiteAgent;
using auralink::rtc::IceLiteAgentConfig;
using auralink::rtc::StunBindingRequest;
using auralink::rtc::StunIntegrityKey;
using auralink::rtc::StunPacket;

constexpr char kLocalUfrag[] = "srvUfrag";
constexpr char kLocalPwd[] = "serverpassword0123456789";
constexpr char kRemoteUfrag[] = "brws";

std::vector<uint8_t> ConsentCheck(uint8_t seed) {
  StunBindingRequest request;
  for (size_t i = 0; i < request.transaction_id.size(); ++i)
    request.transaction_id[i] = static_cast<uint8_t>(seed + i);
  request.username = std::string(kLocalUfrag) + ":" + kRemoteUfrag;
  request.password = kLocalPwd;
  request.priority = 1845501695;
  request.ice_controlling_tie_breaker = 0x1122334455667788ull;
  request.use_candidate = false;
  return auralink::rtc::BuildStunBindingRequest(request);
}

void BM_StunParse(benchmark::State& state) {
  const std::vector<uint8_t> check = ConsentCheck(1);
  for (auto _ : state) {
    auto packet = StunPacket::Parse(check);
    benchmark::DoNotOptimize(packet);
  }
}
BENCHMARK(BM_StunParse);

// With the key prepared once, as the ICE agent keeps it.
void BM_StunVerifyIntegrity(benchmark::State& state) {
  const std::vector<uint8_t> check = ConsentCheck(1);
  const auto packet = StunPacket::Parse(check);
  const StunIntegrityKey key(kLocalPwd);
  for (auto _ : state) benchmark::DoNotOptimize(packet->VerifyMessageIntegrity(key));
}
BENCHMARK(BM_StunVerifyIntegrity);

// With a key prepared for each call, as OpenSSL's one-shot HMAC() does (the server's cost before
// StunIntegrityKey).
void BM_StunVerifyIntegrityOneOffKey(benchmark::State& state) {
  const std::vector<uint8_t> check = ConsentCheck(1);
  const auto packet = StunPacket::Parse(check);
  for (auto _ : state) benchmark::DoNotOptimize(packet->VerifyMessageIntegrity(kLocalPwd));
}
BENCHMARK(BM_StunVerifyIntegrityOneOffKey);

void BM_StunBuildResponse(benchmark::State& state) {
  const auto from = *auralink::net::SocketAddress::FromIp("192.0.2.10", 50000);
  const auto packet = StunPacket::Parse(ConsentCheck(1));
  const StunIntegrityKey key(kLocalPwd);
  for (auto _ : state) {
    auto response =
        auralink::rtc::BuildStunBindingSuccessResponse(packet->transaction_id(), from, key);
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_StunBuildResponse);

// The whole answer, as IceLiteAgent gives it for a connection already nominated.
void BM_ConsentCheck(benchmark::State& state) {
  IceLiteAgentConfig config;
  config.local_ufrag = kLocalUfrag;
  config.local_pwd = kLocalPwd;
  auto created = IceLiteAgent::Create(config);
  std::unique_ptr<IceLiteAgent> agent = std::move(*created);
  agent->SetRemoteCredentials(kRemoteUfrag, "browserpassword0123456789");
  const auto from = *auralink::net::SocketAddress::FromIp("192.0.2.10", 50000);
  std::vector<std::vector<uint8_t>> checks;
  for (int i = 0; i < 64; ++i) checks.push_back(ConsentCheck(static_cast<uint8_t>(i)));
  int64_t now_ms = 0;
  size_t next = 0;
  for (auto _ : state) {
    auto result = agent->HandleStun(checks[next], from, ++now_ms);
    benchmark::DoNotOptimize(result);
    next = (next + 1) % checks.size();
  }
}
BENCHMARK(BM_ConsentCheck);

}  // namespace

BENCHMARK_MAIN();

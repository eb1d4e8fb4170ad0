#include "rtc/ice/ice_lite_agent.h"

#include <gtest/gtest.h>

#include "rtc/ice/stun_packet.h"

namespace auralink::rtc {
namespace {

constexpr char kLocalUfrag[] = "srvU";
constexpr char kLocalPwd[] = "serverpassword0123456789";
constexpr char kRemoteUfrag[] = "brws";

net::SocketAddress Address(const char* ip, uint16_t port) {
  return *net::SocketAddress::FromIp(ip, port);
}

StunTransactionId Id(uint8_t seed) {
  StunTransactionId id{};
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(seed + i);
  return id;
}

// A check as a controlling browser sends it to us.
std::vector<uint8_t> Check(bool use_candidate, uint8_t seed = 1,
                           std::string username = std::string(kLocalUfrag) + ":" + kRemoteUfrag,
                           std::string password = kLocalPwd) {
  StunBindingRequest request;
  request.transaction_id = Id(seed);
  request.username = std::move(username);
  request.password = std::move(password);
  request.priority = 1845501695;
  request.ice_controlling_tie_breaker = 0x1122334455667788ull;
  request.use_candidate = use_candidate;
  return BuildStunBindingRequest(request);
}

std::unique_ptr<IceLiteAgent> MakeAgent(int64_t consent_timeout_ms = 1000) {
  IceLiteAgentConfig config;
  config.local_ufrag = kLocalUfrag;
  config.local_pwd = kLocalPwd;
  config.consent_timeout_ms = consent_timeout_ms;
  auto agent = IceLiteAgent::Create(config);
  EXPECT_TRUE(agent.ok()) << agent.status().message();
  (*agent)->SetRemoteCredentials(kRemoteUfrag, "browserpassword0123456789");
  return std::move(*agent);
}

TEST(IceLiteAgentTest, CreateRejectsShortOrInvalidCredentials) {
  EXPECT_FALSE(IceLiteAgent::Create({"abc", kLocalPwd}).ok());
  EXPECT_FALSE(IceLiteAgent::Create({kLocalUfrag, "short"}).ok());
  EXPECT_FALSE(IceLiteAgent::Create({"ab:c", kLocalPwd}).ok());
  EXPECT_TRUE(IceLiteAgent::Create({kLocalUfrag, kLocalPwd}).ok());
}

TEST(IceLiteAgentTest, AnswersAValidCheckWithAnAuthenticatedResponse) {
  auto agent = MakeAgent();
  const auto from = Address("192.0.2.10", 50000);
  const auto result = agent->HandleStun(Check(false, 7), from, 0);
  EXPECT_TRUE(result.pair_validated);
  EXPECT_FALSE(result.nominated);
  EXPECT_FALSE(result.state_change);
  EXPECT_EQ(agent->state(), IceConnectionState::kNew);
  EXPECT_TRUE(agent->IsValidAddress(from, 0));

  auto response = StunPacket::Parse(result.response);
  ASSERT_TRUE(response.ok()) << response.status().message();
  EXPECT_EQ(response->message_class(), StunClass::kSuccessResponse);
  EXPECT_EQ(response->transaction_id(), Id(7));
  EXPECT_EQ(*response->xor_mapped_address(), from);
  EXPECT_TRUE(response->has_fingerprint());
  EXPECT_TRUE(response->VerifyMessageIntegrity(kLocalPwd));
  EXPECT_EQ(agent->counters().valid_requests, 1u);
}

TEST(IceLiteAgentTest, NominationSelectsAndConnects) {
  auto agent = MakeAgent();
  const auto from = Address("192.0.2.10", 50000);
  agent->HandleStun(Check(false), from, 0);
  const auto result = agent->HandleStun(Check(true), from, 10);
  EXPECT_FALSE(result.pair_validated);
  EXPECT_TRUE(result.nominated);
  EXPECT_TRUE(result.selected_address_changed);
  EXPECT_EQ(result.state_change, IceConnectionState::kConnected);
  EXPECT_EQ(agent->selected_address(), from);

  const auto again = agent->HandleStun(Check(true), from, 20);
  EXPECT_FALSE(again.selected_address_changed);
  EXPECT_FALSE(again.state_change);
}

TEST(IceLiteAgentTest, FollowsANewNominationAfterANetworkChange) {
  auto agent = MakeAgent();
  const auto wifi = Address("192.0.2.10", 50000);
  const auto cellular = Address("2001:db8::99", 41000);
  agent->HandleStun(Check(true), wifi, 0);
  const auto result = agent->HandleStun(Check(true), cellular, 100);
  EXPECT_TRUE(result.pair_validated);
  EXPECT_TRUE(result.selected_address_changed);
  EXPECT_FALSE(result.state_change);  // still connected
  EXPECT_EQ(agent->selected_address(), cellular);
}

TEST(IceLiteAgentTest, ConsentExpiresWithoutChecksAndReturnsWithThem) {
  auto agent = MakeAgent(/*consent_timeout_ms=*/1000);
  const auto from = Address("192.0.2.10", 50000);
  agent->HandleStun(Check(true), from, 0);
  EXPECT_FALSE(agent->Tick(500));
  agent->HandleStun(Check(false), from, 900);  // refreshes consent without USE-CANDIDATE
  EXPECT_FALSE(agent->Tick(1800));
  EXPECT_EQ(agent->Tick(1901), IceConnectionState::kDisconnected);
  EXPECT_FALSE(agent->Tick(5000));
  EXPECT_FALSE(agent->IsValidAddress(from, 5000));

  const auto result = agent->HandleStun(Check(false), from, 6000);
  EXPECT_EQ(result.state_change, IceConnectionState::kConnected);
  EXPECT_EQ(agent->state(), IceConnectionState::kConnected);
}

TEST(IceLiteAgentTest, ChecksFromOtherAddressesDoNotKeepTheSelectedPairAlive) {
  auto agent = MakeAgent(1000);
  const auto selected = Address("192.0.2.10", 50000);
  const auto other = Address("192.0.2.11", 50001);
  agent->HandleStun(Check(true), selected, 0);
  agent->HandleStun(Check(false), other, 900);
  EXPECT_EQ(agent->Tick(1500), IceConnectionState::kDisconnected);
  EXPECT_EQ(agent->selected_address(), selected);
}

TEST(IceLiteAgentTest, RejectsWrongCredentialsWith401) {
  auto agent = MakeAgent();
  const auto from = Address("192.0.2.10", 50000);
  for (const auto& bytes :
       {Check(true, 1, "wrong:brws"), Check(true, 2, std::string(kLocalUfrag) + ":other"),
        Check(true, 3, std::string(kLocalUfrag) + ":" + kRemoteUfrag, "notourpassword0123456789"),
        Check(true, 4, kLocalUfrag)}) {
    const auto result = agent->HandleStun(bytes, from, 0);
    auto response = StunPacket::Parse(result.response);
    ASSERT_TRUE(response.ok());
    ASSERT_TRUE(response->error_code());
    EXPECT_EQ(response->error_code()->code, 401);
    EXPECT_FALSE(response->has_message_integrity());
    EXPECT_FALSE(result.pair_validated);
  }
  EXPECT_EQ(agent->counters().unauthorized, 4u);
  EXPECT_FALSE(agent->IsValidAddress(from, 0));
  EXPECT_FALSE(agent->selected_address());
}

TEST(IceLiteAgentTest, RejectsMissingCredentialsWith400) {
  auto agent = MakeAgent();
  StunMessageBuilder builder(StunClass::kRequest, kStunMethodBinding, Id(9));
  builder.AddUseCandidate();
  const auto result = agent->HandleStun(builder.Finish(""), Address("192.0.2.1", 1), 0);
  auto response = StunPacket::Parse(result.response);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->error_code()->code, 400);
  EXPECT_EQ(agent->counters().bad_request, 1u);
}

TEST(IceLiteAgentTest, AnswersAControlledPeerWith487) {
  auto agent = MakeAgent();
  StunMessageBuilder builder(StunClass::kRequest, kStunMethodBinding, Id(5));
  builder.AddUsername(std::string(kLocalUfrag) + ":" + kRemoteUfrag);
  builder.AddIceControlled(42);
  const auto result = agent->HandleStun(builder.Finish(kLocalPwd), Address("192.0.2.1", 1), 0);
  auto response = StunPacket::Parse(result.response);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->error_code()->code, 487);
  EXPECT_TRUE(response->VerifyMessageIntegrity(kLocalPwd));
  EXPECT_EQ(agent->counters().role_conflict, 1u);
  EXPECT_FALSE(result.pair_validated);
}

TEST(IceLiteAgentTest, AnswersUnknownRequiredAttributesWith420) {
  auto agent = MakeAgent();
  StunMessageBuilder builder(StunClass::kRequest, kStunMethodBinding, Id(5));
  builder.AddUsername(std::string(kLocalUfrag) + ":" + kRemoteUfrag);
  builder.AddAttribute(0x0033, std::span<const uint8_t>());
  const auto result = agent->HandleStun(builder.Finish(kLocalPwd), Address("192.0.2.1", 1), 0);
  auto response = StunPacket::Parse(result.response);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->error_code()->code, 420);
  EXPECT_EQ(agent->counters().unknown_attribute, 1u);
}

TEST(IceLiteAgentTest, DropsAndCountsGarbage) {
  auto agent = MakeAgent();
  const auto from = Address("192.0.2.1", 1);
  const std::vector<uint8_t> dtls = {22, 254, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(agent->HandleStun(dtls, from, 0).response.empty());

  auto bad_fingerprint = Check(true);
  bad_fingerprint.back() ^= 1;
  EXPECT_TRUE(agent->HandleStun(bad_fingerprint, from, 0).response.empty());

  StunMessageBuilder no_fingerprint(StunClass::kRequest, kStunMethodBinding, Id(1));
  no_fingerprint.AddUsername(std::string(kLocalUfrag) + ":" + kRemoteUfrag);
  EXPECT_TRUE(agent->HandleStun(no_fingerprint.Finish(kLocalPwd, false), from, 0).response.empty());

  StunMessageBuilder indication(StunClass::kIndication, kStunMethodBinding, Id(2));
  EXPECT_TRUE(agent->HandleStun(indication.Finish(""), from, 0).response.empty());

  const auto response = BuildStunBindingSuccessResponse(Id(3), from, kLocalPwd);
  EXPECT_TRUE(agent->HandleStun(response, from, 0).response.empty());

  const auto& counters = agent->counters();
  EXPECT_EQ(counters.not_stun, 1u);
  EXPECT_EQ(counters.malformed, 1u);
  EXPECT_EQ(counters.missing_fingerprint, 1u);
  EXPECT_EQ(counters.indications, 1u);
  EXPECT_EQ(counters.unexpected_message, 1u);
  EXPECT_EQ(counters.valid_requests, 0u);
}

TEST(IceLiteAgentTest, AcceptsAnyRemoteUfragUntilCredentialsAreKnown) {
  auto agent = IceLiteAgent::Create({kLocalUfrag, kLocalPwd});
  ASSERT_TRUE(agent.ok());
  const auto result = (*agent)->HandleStun(Check(true, 1, std::string(kLocalUfrag) + ":anyone"),
                                           Address("192.0.2.1", 1), 0);
  EXPECT_TRUE(result.pair_validated);
}

TEST(IceLiteAgentTest, BoundsRememberedAddressesButKeepsTheSelectedOne) {
  IceLiteAgentConfig config{kLocalUfrag, kLocalPwd};
  config.max_valid_addresses = 4;
  auto agent = IceLiteAgent::Create(config).value();
  const auto selected = Address("192.0.2.1", 1000);
  agent->HandleStun(Check(true), selected, 0);
  for (uint16_t port = 2000; port < 2020; ++port) {
    agent->HandleStun(Check(false), Address("192.0.2.2", port), port);
  }
  EXPECT_TRUE(agent->IsValidAddress(selected, 2020));
  EXPECT_TRUE(agent->IsValidAddress(Address("192.0.2.2", 2019), 2020));
  EXPECT_FALSE(agent->IsValidAddress(Address("192.0.2.2", 2000), 2020));
}

// RFC 8445 §9: during a restart media stays on the selected pair and the peer keeps checking it
// with the old credentials until it has applied our new description; those are answered (keyed
// with the old password) until the first check with the new credentials succeeds.
TEST(IceLiteAgentTest, RestartAcceptsTheOldCredentialsUntilTheNewOnesSucceed) {
  auto agent = MakeAgent(30000);
  const auto from = Address("192.0.2.10", 50000);
  agent->HandleStun(Check(true, 1), from, 0);
  ASSERT_EQ(agent->selected_address(), from);

  const std::string new_ufrag = "srv2";
  const std::string new_pwd = "anotherserverpassword987";
  EXPECT_FALSE(agent->RestartWithLocalCredentials("ab", new_pwd).ok());  // too short: unchanged
  EXPECT_FALSE(agent->restart_pending());
  ASSERT_TRUE(agent->RestartWithLocalCredentials(new_ufrag, new_pwd).ok());
  EXPECT_TRUE(agent->restart_pending());
  EXPECT_EQ(agent->previous_local_ufrag(), kLocalUfrag);
  EXPECT_EQ(agent->local_ufrag(), new_ufrag);
  EXPECT_EQ(agent->selected_address(), from);
  EXPECT_TRUE(agent->IsValidAddress(from, 10));

  // The peer has not seen the new description yet: its consent check uses the old credentials.
  const auto old_check = agent->HandleStun(Check(true, 2), from, 20);
  auto answered_old = StunPacket::Parse(old_check.response);
  ASSERT_TRUE(answered_old.ok()) << answered_old.status().message();
  EXPECT_EQ(answered_old->message_class(), StunClass::kSuccessResponse);
  EXPECT_TRUE(answered_old->VerifyMessageIntegrity(kLocalPwd));
  EXPECT_FALSE(old_check.restart_completed);
  EXPECT_FALSE(old_check.selected_address_changed);
  EXPECT_EQ(agent->counters().previous_credentials, 1u);
  EXPECT_TRUE(agent->restart_pending());

  // A check with the new password but a foreign local ufrag, or the old ufrag with the new
  // password, authenticates nothing.
  const auto mixed = agent->HandleStun(
      Check(true, 3, std::string(kLocalUfrag) + ":" + kRemoteUfrag, new_pwd), from, 25);
  auto refused_mixed = StunPacket::Parse(mixed.response);
  ASSERT_TRUE(refused_mixed.ok());
  ASSERT_TRUE(refused_mixed->error_code());
  EXPECT_EQ(refused_mixed->error_code()->code, 401);

  // The peer's new description arrives, then its first check with the new credentials.
  agent->SetRemoteCredentials("brw2", "browserpassword_restarted");
  const auto new_check = agent->HandleStun(Check(true, 4, new_ufrag + ":brw2", new_pwd), from, 30);
  auto answered = StunPacket::Parse(new_check.response);
  ASSERT_TRUE(answered.ok()) << answered.status().message();
  EXPECT_EQ(answered->message_class(), StunClass::kSuccessResponse);
  EXPECT_TRUE(answered->VerifyMessageIntegrity(new_pwd));
  EXPECT_FALSE(answered->VerifyMessageIntegrity(kLocalPwd));
  EXPECT_TRUE(new_check.restart_completed);
  EXPECT_FALSE(new_check.selected_address_changed);
  EXPECT_FALSE(agent->restart_pending());
  EXPECT_TRUE(agent->previous_local_ufrag().empty());
  EXPECT_EQ(agent->selected_address(), from);
  EXPECT_EQ(agent->state(), IceConnectionState::kConnected);

  // From now on the old credentials are refused.
  const auto late_old = agent->HandleStun(Check(true, 5), from, 40);
  auto refused = StunPacket::Parse(late_old.response);
  ASSERT_TRUE(refused.ok());
  ASSERT_TRUE(refused->error_code());
  EXPECT_EQ(refused->error_code()->code, 401);
}

// Before the peer's new description arrives, our new ufrag and password are accepted with any
// remote half (the peer restarts its own credentials too); once it arrives, only with its ufrag.
TEST(IceLiteAgentTest, RestartAcceptsTheNewCredentialsBeforeThePeerDescription) {
  auto agent = MakeAgent(30000);
  const auto from = Address("192.0.2.10", 50000);
  agent->HandleStun(Check(true, 1), from, 0);
  const std::string new_pwd = "anotherserverpassword987";
  ASSERT_TRUE(agent->RestartWithLocalCredentials("srv2", new_pwd).ok());
  const auto early = agent->HandleStun(Check(true, 2, "srv2:brw2", new_pwd), from, 10);
  auto answered = StunPacket::Parse(early.response);
  ASSERT_TRUE(answered.ok());
  EXPECT_EQ(answered->message_class(), StunClass::kSuccessResponse);
  EXPECT_TRUE(early.restart_completed);

  agent->SetRemoteCredentials("brw2", "browserpassword_restarted");
  const auto stranger = agent->HandleStun(Check(true, 3, "srv2:zzzz", new_pwd), from, 20);
  auto refused = StunPacket::Parse(stranger.response);
  ASSERT_TRUE(refused.ok());
  ASSERT_TRUE(refused->error_code());
  EXPECT_EQ(refused->error_code()->code, 401);
}

// Two restarts before the peer caught up: it still checks with the credentials it last
// succeeded with, which stay accepted; the intermediate ones never are.
TEST(IceLiteAgentTest, SecondRestartKeepsTheCredentialsThePeerLastUsed) {
  auto agent = MakeAgent(30000);
  const auto from = Address("192.0.2.10", 50000);
  agent->HandleStun(Check(true, 1), from, 0);
  ASSERT_TRUE(agent->RestartWithLocalCredentials("srv2", "secondserverpassword0123").ok());
  ASSERT_TRUE(agent->RestartWithLocalCredentials("srv3", "thirdserverpassword01234").ok());
  EXPECT_EQ(agent->previous_local_ufrag(), kLocalUfrag);
  auto old = StunPacket::Parse(agent->HandleStun(Check(true, 2), from, 10).response);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->message_class(), StunClass::kSuccessResponse);
  auto skipped = StunPacket::Parse(
      agent->HandleStun(Check(true, 3, "srv2:brws", "secondserverpassword0123"), from, 20)
          .response);
  ASSERT_TRUE(skipped.ok());
  ASSERT_TRUE(skipped->error_code());
  EXPECT_EQ(skipped->error_code()->code, 401);
}

}  // namespace
}  // namespace auralink::rtc

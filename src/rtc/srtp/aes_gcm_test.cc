#include "rtc/srtp/aes_gcm.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>
#include <string>
#include <vector>

namespace auralink::rtc {
namespace {

std::vector<uint8_t> FromHex(const std::string& hex) {
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

// OpenSSL's AES-128-GCM, the reference: ciphertext followed by the 16-byte tag.
std::vector<uint8_t> OpenSslSeal(const std::vector<uint8_t>& key, const std::vector<uint8_t>& iv,
                                 const std::vector<uint8_t>& aad,
                                 const std::vector<uint8_t>& plain) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  std::vector<uint8_t> out(plain.size() + 16);
  int written = 0;
  EXPECT_EQ(EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, key.data(), iv.data()), 1);
  const int aad_size = static_cast<int>(aad.size());
  const int plain_size = static_cast<int>(plain.size());
  EXPECT_TRUE(aad.empty() || EVP_EncryptUpdate(ctx, nullptr, &written, aad.data(), aad_size) == 1);
  EXPECT_TRUE(plain.empty() ||
              EVP_EncryptUpdate(ctx, out.data(), &written, plain.data(), plain_size) == 1);
  EXPECT_EQ(EVP_EncryptFinal_ex(ctx, out.data() + plain.size(), &written), 1);
  EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out.data() + plain.size()), 1);
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

// Each test runs on both register widths, where this CPU has them.
class AesGcm128Test : public ::testing::TestWithParam<AesGcm128::Width> {
 protected:
  void SetUp() override {
    if (!AesGcm128::Available(GetParam())) {
      GTEST_SKIP() << (GetParam() == AesGcm128::Width::k128
                           ? "this CPU has no AES-NI/PCLMULQDQ"
                           : "this CPU has no AVX-512 with VAES/VPCLMULQDQ");
    }
  }

  static AesGcm128 Make(const std::vector<uint8_t>& key) {
    return AesGcm128(std::span<const uint8_t, 16>(key.data(), 16), GetParam());
  }

  // Seals `plain` with the AAD split into two parts at `split`; ciphertext then tag.
  static std::vector<uint8_t> Seal(const std::vector<uint8_t>& key, const std::vector<uint8_t>& iv,
                                   const std::vector<uint8_t>& aad, size_t split,
                                   std::vector<uint8_t> plain) {
    const AesGcm128 gcm = Make(key);
    std::vector<uint8_t> tag(16);
    gcm.Seal(std::span<const uint8_t, 12>(iv.data(), 12), {aad.data(), split},
             {aad.data() + split, aad.size() - split}, plain.data(), plain.size(), tag.data());
    plain.insert(plain.end(), tag.begin(), tag.end());
    return plain;
  }
};

// The GCM specification's test case 4 (McGrew and Viega, "The Galois/Counter Mode of Operation").
TEST_P(AesGcm128Test, MatchesThePublishedTestVector) {
  const auto key = FromHex("feffe9928665731c6d6a8f9467308308");
  const auto iv = FromHex("cafebabefacedbaddecaf888");
  const auto aad = FromHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const auto plain = FromHex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e24"
      "49a6b525b16aedf5aa0de657ba637b39");
  const auto expected = FromHex(
      "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5a"
      "ac84aa051ba30b396a0aac973d58e0915bc94fbc3221a5db94fae95ae7121a47");
  EXPECT_EQ(Seal(key, iv, aad, aad.size(), plain), expected);
  EXPECT_EQ(OpenSslSeal(key, iv, aad, plain), expected);
}

TEST_P(AesGcm128Test, AgreesWithOpenSslOnEveryLengthAndSplit) {
  std::mt19937 random(7);
  auto bytes = [&](size_t n) {
    std::vector<uint8_t> v(n);
    for (uint8_t& b : v) b = static_cast<uint8_t>(random());
    return v;
  };
  for (int trial = 0; trial < 900; ++trial) {
    const auto key = bytes(16);
    const auto iv = bytes(12);
    // Every length up to 600 (past the block, four-, eight- and sixteen-block boundaries more than
    // twice), and packet sizes.
    const size_t plain_size = trial < 600 ? static_cast<size_t>(trial) : random() % 1600;
    const auto aad = bytes(random() % 80);
    const size_t split = aad.empty() ? 0 : random() % (aad.size() + 1);
    const auto plain = bytes(plain_size);
    const std::vector<uint8_t> sealed = Seal(key, iv, aad, split, plain);
    ASSERT_EQ(sealed, OpenSslSeal(key, iv, aad, plain))
        << "plain " << plain_size << " aad " << aad.size() << " split " << split;

    const AesGcm128 gcm = Make(key);
    std::vector<uint8_t> opened(sealed.begin(), sealed.end() - 16);
    ASSERT_TRUE(gcm.Open(std::span<const uint8_t, 12>(iv.data(), 12), {aad.data(), split},
                         {aad.data() + split, aad.size() - split}, opened.data(), opened.size(),
                         sealed.data() + plain_size));
    ASSERT_EQ(opened, plain);
  }
}

TEST_P(AesGcm128Test, OpenRefusesAnyChangedByte) {
  const std::vector<uint8_t> key(16, 0x42);
  const std::vector<uint8_t> iv(12, 0x07);
  const std::vector<uint8_t> aad = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const std::vector<uint8_t> plain(200, 0x33);
  const std::vector<uint8_t> sealed = Seal(key, iv, aad, aad.size(), plain);
  const AesGcm128 gcm = Make(key);
  for (size_t i = 0; i < aad.size() + sealed.size(); ++i) {
    std::vector<uint8_t> changed_aad = aad;
    std::vector<uint8_t> changed = sealed;
    if (i < aad.size()) {
      changed_aad[i] ^= 0x01;
    } else {
      changed[i - aad.size()] ^= 0x80;
    }
    EXPECT_FALSE(gcm.Open(std::span<const uint8_t, 12>(iv.data(), 12), changed_aad, {},
                          changed.data(), plain.size(), changed.data() + plain.size()))
        << "byte " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Widths, AesGcm128Test,
                         ::testing::Values(AesGcm128::Width::k128, AesGcm128::Width::k512),
                         [](const ::testing::TestParamInfo<AesGcm128::Width>& info) {
                           return info.param == AesGcm128::Width::k128 ? "Registers16"
                                                                       : "Registers64";
                         });

}  // namespace
}  // namespace auralink::rtc

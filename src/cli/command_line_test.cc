#include "cli/command_line.h"

#include <gtest/gtest.h>

namespace auralink::cli {
namespace {

const std::vector<FlagSpec> kFlags = {{"bitrate", true}, {"json", false}};

TEST(CommandLineTest, ParsesFlagsAndPositionals) {
  auto args = ParsedArguments::Parse({"in.wav", "--bitrate", "6000", "out.aus", "--json"}, kFlags);
  ASSERT_TRUE(args.ok()) << args.status().message();
  EXPECT_EQ(args->positional(), (std::vector<std::string>{"in.wav", "out.aus"}));
  EXPECT_TRUE(args->Has("json"));
  EXPECT_EQ(*args->Integer("bitrate", 0, 1, 10000), 6000);
}

TEST(CommandLineTest, RejectsUnknownAndMalformedFlags) {
  EXPECT_FALSE(ParsedArguments::Parse({"--nope"}, kFlags).ok());
  EXPECT_FALSE(ParsedArguments::Parse({"--bitrate"}, kFlags).ok());
  EXPECT_FALSE(ParsedArguments::Parse({"--json=1"}, kFlags).ok());
  auto args = ParsedArguments::Parse({"--bitrate=abc"}, kFlags);
  ASSERT_TRUE(args.ok());
  EXPECT_FALSE(args->Integer("bitrate", 0, 1, 10000).ok());
  auto out_of_range = ParsedArguments::Parse({"--bitrate=99999"}, kFlags);
  EXPECT_FALSE(out_of_range->Integer("bitrate", 0, 1, 10000).ok());
}

}  // namespace
}  // namespace auralink::cli

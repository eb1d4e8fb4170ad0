#include "aic/video/livekit_video_presets.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

namespace auralink::video {
namespace {

TEST(LiveKitVideoPresetsTest, PicksWhatLiveKitClientPicks) {
  LiveKitVideoPreset square = LiveKitCameraPresetFor(512, 512);  // square counts as 4:3
  EXPECT_EQ(square.name, "h480");
  EXPECT_EQ(square.aspect, "4:3");
  EXPECT_EQ(square.max_bitrate_kbps, 500);
  EXPECT_EQ(square.max_framerate, 20);
  LiveKitVideoPreset hd = LiveKitCameraPresetFor(1280, 720);
  EXPECT_EQ(hd.name, "h720");
  EXPECT_EQ(hd.aspect, "16:9");
  EXPECT_EQ(hd.max_bitrate_kbps, 1700);
  EXPECT_EQ(LiveKitCameraPresetFor(352, 288).name, "h360");   // 4:3, 480 >= 352
  EXPECT_EQ(LiveKitCameraPresetFor(1024, 768).name, "h1080"); // 4:3 h720 is only 960 wide
  EXPECT_EQ(LiveKitCameraPresetFor(720, 1280).name, "h720");  // portrait: the long side counts
  EXPECT_EQ(LiveKitCameraPresetFor(8000, 4500).name, "h2160"); // larger than every preset
}

// Reads the presets from the installed npm package (tests/livekit or tests/reference node_modules),
// so a livekit-client upgrade that changes them fails here instead of silently skewing baselines.
TEST(LiveKitVideoPresetsTest, MatchesTheNpmPackage) {
  const std::string root = AURALINK_SOURCE_DIR;
  std::string path;
  for (const char* dir : {"/tests/livekit/node_modules", "/node_modules"}) {
    std::string candidate = root + dir + "/livekit-client/src/room/track/options.ts";
    if (std::filesystem::exists(candidate)) path = candidate;
  }
  if (path.empty()) GTEST_SKIP() << "livekit-client npm package not installed (run ./scripts/setup)";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string source = text.str();
  auto check = [&](const char* block, std::span<const LiveKitVideoPreset> presets) {
    size_t begin = source.find(std::string("export const ") + block + " = {");
    ASSERT_NE(begin, std::string::npos) << block;
    size_t end = source.find("} as const;", begin);
    std::string body = source.substr(begin, end - begin);
    std::regex entry(R"((h\d+): new VideoPreset\((\d+), (\d+), ([\d_]+), (\d+)\))");
    size_t count = 0;
    for (auto it = std::sregex_iterator(body.begin(), body.end(), entry); it != std::sregex_iterator();
         ++it, ++count) {
      ASSERT_LT(count, presets.size());
      const auto& m = *it;
      std::string bitrate = m[4].str();
      std::erase(bitrate, '_');
      EXPECT_EQ(presets[count].name, m[1].str());
      EXPECT_EQ(presets[count].width, std::stoi(m[2].str()));
      EXPECT_EQ(presets[count].height, std::stoi(m[3].str()));
      EXPECT_EQ(presets[count].max_bitrate_kbps * 1000, std::stoi(bitrate));
      EXPECT_EQ(presets[count].max_framerate, std::stoi(m[5].str()));
    }
    EXPECT_EQ(count, presets.size()) << block;
  };
  check("VideoPresets", LiveKitVideoPresets169());
  check("VideoPresets43", LiveKitVideoPresets43());
}

}  // namespace
}  // namespace auralink::video

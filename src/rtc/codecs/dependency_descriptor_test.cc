#include "rtc/codecs/dependency_descriptor.h"

#include <gtest/gtest.h>

#include <vector>

namespace auralink::rtc {
namespace {

using Bytes = std::vector<uint8_t>;
using Dti = DecodeTargetIndication;

// Writes descriptors field by field as AV1 RTP Appendix A.8 lays them out.
class BitWriter {
 public:
  void Bits(uint32_t value, int count) {
    for (int i = count - 1; i >= 0; --i) {
      if (bit_ % 8 == 0) bytes_.push_back(0);
      if ((value >> i) & 1) bytes_.back() |= static_cast<uint8_t>(0x80 >> (bit_ % 8));
      ++bit_;
    }
  }
  // ns(n) (AV1 s4.10.7): values below m = 2^w - n take w-1 bits, the others w bits as v + m.
  void NonSymmetric(uint32_t value, uint32_t n) {
    int w = 0;
    for (uint32_t x = n; x != 0; x >>= 1) ++w;
    const uint32_t m = (1u << w) - n;
    if (value < m) {
      Bits(value, w - 1);
    } else {
      Bits(value + m, w);
    }
  }
  Bytes bytes() const { return bytes_; }

 private:
  Bytes bytes_;
  int bit_ = 0;
};

void Mandatory(BitWriter* w, bool start, bool end, int template_id, int frame_number) {
  w->Bits(start, 1);
  w->Bits(end, 1);
  w->Bits(static_cast<uint32_t>(template_id), 6);
  w->Bits(static_cast<uint32_t>(frame_number), 16);
}

constexpr int kTemplateIdOffset = 10;

// An L1T3 structure: three decode targets (up to T0, T1, T2), one chain protecting them all.
//   template 0: T0 key   DTIs S S S  no fdiff   chain diff 0
//   template 1: T0       DTIs S S S  fdiff 4    chain diff 4
//   template 2: T1       DTIs - D R  fdiff 2    chain diff 2
//   template 3: T2       DTIs - - D  fdiff 1    chain diff 1
//   template 4: T2       DTIs - - D  fdiff 1 3  chain diff 3
void L1T3Structure(BitWriter* w) {
  w->Bits(kTemplateIdOffset, 6);
  w->Bits(3 - 1, 5);                                          // dt_cnt_minus_one
  for (uint32_t idc : {0u, 1u, 1u, 0u, 3u}) w->Bits(idc, 2);  // next_layer_idc
  const uint32_t dtis[5][3] = {{2, 2, 2}, {2, 2, 2}, {0, 1, 3}, {0, 0, 1}, {0, 0, 1}};
  for (const auto& row : dtis) {
    for (uint32_t dti : row) w->Bits(dti, 2);
  }
  const std::vector<std::vector<uint32_t>> fdiffs = {{}, {4}, {2}, {1}, {1, 3}};
  for (const auto& list : fdiffs) {
    for (uint32_t fdiff : list) {
      w->Bits(1, 1);  // fdiff_follows_flag
      w->Bits(fdiff - 1, 4);
    }
    w->Bits(0, 1);
  }
  w->NonSymmetric(1, 3 + 1);                             // chain_cnt
  for (int dt = 0; dt < 3; ++dt) w->NonSymmetric(0, 1);  // decode_target_protected_by
  for (uint32_t chain_diff : {0u, 4u, 2u, 1u, 3u}) w->Bits(chain_diff, 4);
  w->Bits(1, 1);  // resolutions_present_flag
  w->Bits(640 - 1, 16);
  w->Bits(360 - 1, 16);
}

Bytes KeyFrameDescriptor() {
  BitWriter w;
  Mandatory(&w, true, true, kTemplateIdOffset + 0, 0xFFFE);
  w.Bits(1, 1);  // template_dependency_structure_present_flag
  w.Bits(0, 4);  // active targets, custom dtis, fdiffs, chains
  L1T3Structure(&w);
  return w.bytes();
}

TEST(DependencyDescriptorTest, KeyFrameCarriesTheTemplateStructure) {
  auto d = DependencyDescriptor::Parse(KeyFrameDescriptor(), nullptr);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_TRUE(d->start_of_frame);
  EXPECT_TRUE(d->end_of_frame);
  EXPECT_EQ(d->frame_number, 0xFFFE);
  ASSERT_NE(d->attached_structure, nullptr);
  const FrameDependencyStructure& s = *d->attached_structure;
  EXPECT_EQ(s.template_id_offset, kTemplateIdOffset);
  EXPECT_EQ(s.decode_target_count, 3);
  EXPECT_EQ(s.chain_count, 1);
  ASSERT_EQ(s.templates.size(), 5u);
  EXPECT_EQ(s.templates[2].temporal_id, 1);
  EXPECT_EQ(s.templates[4].temporal_id, 2);
  EXPECT_EQ(s.templates[4].frame_diff_count, 2);
  EXPECT_EQ(s.templates[4].frame_diffs[1], 3);
  EXPECT_EQ(s.decode_target_temporal_id[0], 0);
  EXPECT_EQ(s.decode_target_temporal_id[1], 1);
  EXPECT_EQ(s.decode_target_temporal_id[2], 2);
  ASSERT_EQ(s.resolutions.size(), 1u);
  EXPECT_EQ(s.resolutions[0].width, 640);
  EXPECT_EQ(s.resolutions[0].height, 360);

  EXPECT_EQ(d->spatial_id, 0);
  EXPECT_EQ(d->temporal_id, 0);
  EXPECT_EQ(d->active_decode_targets, 0b111u);
  EXPECT_TRUE(d->StartsKeyFrame());
  EXPECT_TRUE(d->IsSwitchPoint(0));
  EXPECT_TRUE(d->IsSwitchPoint(2));
  ASSERT_TRUE(d->resolution.has_value());
  EXPECT_EQ(d->resolution->width, 640);
}

TEST(DependencyDescriptorTest, MandatoryFieldsResolveThroughTheLatestStructure) {
  auto key = DependencyDescriptor::Parse(KeyFrameDescriptor(), nullptr);
  ASSERT_TRUE(key.ok());
  BitWriter w;
  Mandatory(&w, true, false, kTemplateIdOffset + 3, 0xFFFF);
  const Bytes packet = w.bytes();
  ASSERT_EQ(packet.size(), 3u);
  auto d = DependencyDescriptor::Parse(packet, key->attached_structure.get());
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->attached_structure, nullptr);
  EXPECT_FALSE(d->active_decode_targets.has_value());
  EXPECT_EQ(d->temporal_id, 2);
  EXPECT_EQ(d->frame_diff_count, 1);
  EXPECT_EQ(d->frame_diffs[0], 1);
  EXPECT_EQ(d->decode_target_indications[0], Dti::kNotPresent);
  EXPECT_EQ(d->decode_target_indications[2], Dti::kDiscardable);
  EXPECT_FALSE(d->StartsKeyFrame());
  EXPECT_FALSE(d->IsSwitchPoint(2));
  EXPECT_FALSE(d->IsSwitchPoint(7));

  // Without a structure the same bytes cannot be resolved.
  EXPECT_FALSE(DependencyDescriptor::Parse(packet, nullptr).ok());
}

TEST(DependencyDescriptorTest, CustomDtisFdiffsChainsAndActiveTargets) {
  auto key = DependencyDescriptor::Parse(KeyFrameDescriptor(), nullptr);
  ASSERT_TRUE(key.ok());
  BitWriter v;
  Mandatory(&v, false, true, kTemplateIdOffset + 1, 7);
  // No structure; active targets, custom DTIs, custom fdiffs and custom chains present.
  v.Bits(0b01111, 5);
  v.Bits(0b011, 3);                             // active_decode_targets_bitmask (DtCnt bits)
  for (int dt = 0; dt < 3; ++dt) v.Bits(3, 2);  // every DTI Required
  v.Bits(1, 2);                                 // next_fdiff_size: 4 bits
  v.Bits(8 - 1, 4);
  v.Bits(2, 2);  // next_fdiff_size: 8 bits
  v.Bits(200 - 1, 8);
  v.Bits(3, 2);  // next_fdiff_size: 12 bits
  v.Bits(4000 - 1, 12);
  v.Bits(0, 2);  // no more
  v.Bits(5, 8);  // frame_chain_fdiff
  auto d = DependencyDescriptor::Parse(v.bytes(), key->attached_structure.get());
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_FALSE(d->start_of_frame);
  EXPECT_EQ(d->active_decode_targets, 0b011u);
  EXPECT_EQ(d->decode_target_indications[1], Dti::kRequired);
  ASSERT_EQ(d->frame_diff_count, 3);
  EXPECT_EQ(d->frame_diffs[0], 8);
  EXPECT_EQ(d->frame_diffs[1], 200);
  EXPECT_EQ(d->frame_diffs[2], 4000);
  EXPECT_EQ(d->chain_diffs[0], 5);
  EXPECT_EQ(d->temporal_id, 0);
}

TEST(DependencyDescriptorTest, RejectsUnknownTemplateAndEveryTruncation) {
  auto key = DependencyDescriptor::Parse(KeyFrameDescriptor(), nullptr);
  ASSERT_TRUE(key.ok());
  BitWriter w;
  Mandatory(&w, true, true, kTemplateIdOffset + 5, 1);  // only 5 templates
  EXPECT_FALSE(DependencyDescriptor::Parse(w.bytes(), key->attached_structure.get()).ok());

  const Bytes full = KeyFrameDescriptor();
  for (size_t size = 0; size < full.size(); ++size) {
    const Bytes prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(size));
    auto d = DependencyDescriptor::Parse(prefix, nullptr);
    EXPECT_FALSE(d.ok()) << "accepted a " << size << "-byte prefix";
  }
}

TEST(DependencyDescriptorTest, RejectsTooManyTemplates) {
  BitWriter w;
  Mandatory(&w, true, true, 0, 0);
  w.Bits(0b10000, 5);
  w.Bits(0, 6);
  w.Bits(0, 5);
  for (int i = 0; i < 70; ++i) w.Bits(0, 2);  // next_layer_idc 0 forever
  auto d = DependencyDescriptor::Parse(w.bytes(), nullptr);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("64 templates"), std::string::npos);
}

}  // namespace
}  // namespace auralink::rtc

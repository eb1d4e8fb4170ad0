#include "signal/api/room_control_messages.h"

#include <gtest/gtest.h>

namespace auralink::signal {
namespace {

TEST(RoomControlMessagesTest, TrackSourcesKeepLiveKitNumbers) {
  for (sfu::TrackSource source :
       {sfu::TrackSource::kUnknown, sfu::TrackSource::kCamera, sfu::TrackSource::kMicrophone,
        sfu::TrackSource::kScreenShare, sfu::TrackSource::kScreenShareAudio}) {
    EXPECT_EQ(TrackSourceFromProto(TrackSourceToProto(source)), source);
  }
  EXPECT_EQ(TrackSourceToProto(sfu::TrackSource::kScreenShareAudio), livekit::SCREEN_SHARE_AUDIO);
  EXPECT_EQ(TrackSourceFromProto(99), sfu::TrackSource::kUnknown);
  EXPECT_EQ(TrackSourceFromGrantName("screen_share"), sfu::TrackSource::kScreenShare);
  EXPECT_EQ(TrackSourceFromGrantName("microphone"), sfu::TrackSource::kMicrophone);
  EXPECT_FALSE(TrackSourceFromGrantName("SCREEN_SHARE").has_value());
}

TEST(RoomControlMessagesTest, PermissionsRoundTrip) {
  sfu::ParticipantPermissions permissions;
  permissions.can_subscribe = false;
  permissions.can_publish = true;
  permissions.can_publish_data = false;
  permissions.hidden = true;
  permissions.can_update_metadata = true;
  permissions.can_publish_sources = {sfu::TrackSource::kMicrophone, sfu::TrackSource::kScreenShare};
  const livekit::ParticipantPermission proto = PermissionsToProto(permissions);
  EXPECT_FALSE(proto.can_subscribe());
  EXPECT_TRUE(proto.hidden());
  ASSERT_EQ(proto.can_publish_sources_size(), 2);
  EXPECT_EQ(proto.can_publish_sources(1), livekit::SCREEN_SHARE);
  const sfu::ParticipantPermissions back = PermissionsFromProto(proto);
  EXPECT_EQ(back.can_subscribe, permissions.can_subscribe);
  EXPECT_EQ(back.can_publish, permissions.can_publish);
  EXPECT_EQ(back.can_publish_data, permissions.can_publish_data);
  EXPECT_EQ(back.hidden, permissions.hidden);
  EXPECT_EQ(back.can_update_metadata, permissions.can_update_metadata);
  EXPECT_EQ(back.can_publish_sources, permissions.can_publish_sources);
}

TEST(RoomControlMessagesTest, OutOfRangeValuesStayValid) {
  sfu::VideoLayerDescription layer;
  layer.quality = 7;
  layer.width = -5;
  layer.bitrate_bps = -1;
  const livekit::VideoLayer proto = VideoLayerToProto(layer);
  EXPECT_EQ(proto.quality(), livekit::LOW);
  EXPECT_EQ(proto.width(), 0u);
  EXPECT_EQ(proto.bitrate(), 0u);

  sfu::ParticipantDescription participant;
  participant.state = static_cast<sfu::ParticipantState>(42);
  EXPECT_EQ(ParticipantToProto(participant).state(), livekit::ParticipantInfo_State_JOINING);
}

TEST(RoomControlMessagesTest, AudioTrackWithoutLayers) {
  sfu::TrackDescription track;
  track.sid = "TR_a";
  track.kind = sfu::TrackKind::kAudio;
  track.source = sfu::TrackSource::kMicrophone;
  track.mime_type = "audio/red";
  track.muted = true;
  const livekit::TrackInfo proto = TrackToProto(track);
  EXPECT_EQ(proto.type(), livekit::AUDIO);
  EXPECT_TRUE(proto.muted());
  EXPECT_EQ(proto.layers_size(), 0);
  ASSERT_EQ(proto.codecs_size(), 1);
  EXPECT_EQ(proto.codecs(0).mime_type(), "audio/red");
}

}  // namespace
}  // namespace auralink::signal

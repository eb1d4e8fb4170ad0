#include "signal/protocol/twirp_method.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <gtest/gtest.h>

namespace auralink::signal {
namespace {

TEST(TwirpMethodTest, FindsRoomServiceMethodsWithTheirTypes) {
  struct Expected {
    const char* method;
    const char* request;
    const char* response;
  };
  const Expected expected[] = {
      {"CreateRoom", "livekit.CreateRoomRequest", "livekit.Room"},
      {"ListRooms", "livekit.ListRoomsRequest", "livekit.ListRoomsResponse"},
      {"DeleteRoom", "livekit.DeleteRoomRequest", "livekit.DeleteRoomResponse"},
      {"ListParticipants", "livekit.ListParticipantsRequest", "livekit.ListParticipantsResponse"},
      {"GetParticipant", "livekit.RoomParticipantIdentity", "livekit.ParticipantInfo"},
      {"RemoveParticipant", "livekit.RoomParticipantIdentity", "livekit.RemoveParticipantResponse"},
      {"MutePublishedTrack", "livekit.MuteRoomTrackRequest", "livekit.MuteRoomTrackResponse"},
      {"UpdateParticipant", "livekit.UpdateParticipantRequest", "livekit.ParticipantInfo"},
      {"UpdateSubscriptions", "livekit.UpdateSubscriptionsRequest",
       "livekit.UpdateSubscriptionsResponse"},
      {"SendData", "livekit.SendDataRequest", "livekit.SendDataResponse"},
      {"UpdateRoomMetadata", "livekit.UpdateRoomMetadataRequest", "livekit.Room"},
  };
  for (const auto& e : expected) {
    const auto method = FindTwirpMethod(std::string("/twirp/livekit.RoomService/") + e.method);
    ASSERT_TRUE(method.ok()) << method.status().message();
    EXPECT_EQ((*method)->input_type()->full_name(), e.request);
    EXPECT_EQ((*method)->output_type()->full_name(), e.response);
    EXPECT_EQ(NewTwirpRequest(**method)->GetDescriptor()->full_name(), e.request);
    EXPECT_EQ(NewTwirpResponse(**method)->GetDescriptor()->full_name(), e.response);
  }
}

TEST(TwirpMethodTest, RejectsOtherPaths) {
  for (const char* path :
       {"", "/", "/twirp/", "/twirp/livekit.RoomService", "/twirp/livekit.RoomService/",
        "/twirp/livekit.RoomService/NoSuchMethod", "/twirp/livekit.Nope/CreateRoom",
        "/twirp/RoomService/CreateRoom", "/rtc/livekit.RoomService/CreateRoom",
        "/twirp/livekit.RoomService/CreateRoom/extra", "/twirp/livekit.Room/CreateRoom"}) {
    const auto method = FindTwirpMethod(path);
    EXPECT_FALSE(method.ok()) << path;
  }
}

}  // namespace
}  // namespace auralink::signal

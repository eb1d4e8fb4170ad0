#include "sfu/video_payload_info.h"

#include <algorithm>
#include <string>

#include "rtc/codecs/av1_payload.h"
#include "rtc/codecs/h264_payload.h"
#include "rtc/codecs/vp8_payload_descriptor.h"
#include "rtc/codecs/vp9_payload_descriptor.h"

namespace auralink::sfu {

VideoCodecId VideoCodecIdFromName(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "vp8") return VideoCodecId::kVp8;
  if (lower == "vp9") return VideoCodecId::kVp9;
  if (lower == "av1") return VideoCodecId::kAv1;
  if (lower == "h264") return VideoCodecId::kH264;
  return VideoCodecId::kUnknown;
}

VideoPayloadInfo ParseVideoPayload(VideoCodecId codec, std::span<const uint8_t> payload) {
  VideoPayloadInfo info;
  switch (codec) {
    case VideoCodecId::kVp8: {
      auto vp8 = rtc::Vp8PayloadDescriptor::Parse(payload);
      if (!vp8.ok()) return info;
      info.parsed = true;
      info.start_of_frame = vp8->start_of_frame;
      info.key_frame = vp8->key_frame;
      info.temporal_id = vp8->temporal_id;
      info.layer_sync = vp8->layer_sync;
      info.picture_id = vp8->picture_id;
      info.tl0_pic_idx = vp8->tl0_pic_idx;
      info.width = vp8->width;
      info.height = vp8->height;
      return info;
    }
    case VideoCodecId::kVp9: {
      auto vp9 = rtc::Vp9PayloadDescriptor::Parse(payload);
      if (!vp9.ok()) return info;
      info.parsed = true;
      info.start_of_frame = vp9->start_of_frame;
      info.key_frame = vp9->key_frame;
      if (vp9->has_layer_indices) info.temporal_id = vp9->temporal_id;
      info.layer_sync = vp9->switching_up_point;
      return info;
    }
    case VideoCodecId::kAv1: {
      auto av1 = rtc::Av1Payload::Parse(payload);
      if (!av1.ok()) return info;
      info.parsed = true;
      info.start_of_frame = !av1->first_element_continues;
      info.key_frame = av1->key_frame;
      info.temporal_id = av1->temporal_id;
      return info;
    }
    case VideoCodecId::kH264: {
      auto h264 = rtc::H264Payload::Parse(payload);
      if (!h264.ok()) return info;
      info.parsed = true;
      info.start_of_frame = h264->start_of_frame;
      info.key_frame = h264->StartsKeyFrame();
      return info;
    }
    case VideoCodecId::kUnknown:
      break;
  }
  return info;
}

}  // namespace auralink::sfu

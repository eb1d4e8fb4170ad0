#include "signal/auth/claim_grants.h"

#include <cmath>

namespace auralink::signal {
namespace {

using nlohmann::json;

struct BoolClaim {
  const char* name;
  bool VideoGrant::*field;
};
constexpr BoolClaim kBoolClaims[] = {
    {"roomCreate", &VideoGrant::room_create},
    {"roomList", &VideoGrant::room_list},
    {"roomRecord", &VideoGrant::room_record},
    {"roomAdmin", &VideoGrant::room_admin},
    {"roomJoin", &VideoGrant::room_join},
    {"ingressAdmin", &VideoGrant::ingress_admin},
    {"hidden", &VideoGrant::hidden},
    {"recorder", &VideoGrant::recorder},
    {"agent", &VideoGrant::agent},
    {"canSubscribeMetrics", &VideoGrant::can_subscribe_metrics},
    {"canManageAgentSession", &VideoGrant::can_manage_agent_session},
};

struct OptionalBoolClaim {
  const char* name;
  std::optional<bool> VideoGrant::*field;
};
constexpr OptionalBoolClaim kOptionalBoolClaims[] = {
    {"canPublish", &VideoGrant::can_publish},
    {"canSubscribe", &VideoGrant::can_subscribe},
    {"canPublishData", &VideoGrant::can_publish_data},
    {"canUpdateOwnMetadata", &VideoGrant::can_update_own_metadata},
};

Status WrongType(const std::string& claim, const char* expected) {
  return Status::Error("claim \"" + claim + "\" is not " + expected);
}

// Reads an optional string claim; absent and null leave `out` untouched.
Status ReadString(const json& object, const char* name, const std::string& path, std::string* out) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) return WrongType(path + name, "a string");
  *out = it->get<std::string>();
  return Status::Ok();
}

Status ReadBool(const json& object, const char* name, std::optional<bool>* out) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return Status::Ok();
  if (!it->is_boolean()) return WrongType(std::string("video.") + name, "a boolean");
  *out = it->get<bool>();
  return Status::Ok();
}

// NumericDate (RFC 7519 section 2): seconds since the epoch, possibly fractional.
Status ReadNumericDate(const json& object, const char* name, int64_t* out) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return Status::Ok();
  if (!it->is_number()) return WrongType(name, "a number");
  const double seconds = it->get<double>();
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e13) {
    return Status::Error(std::string("claim \"") + name + "\" is out of range");
  }
  *out = static_cast<int64_t>(std::floor(seconds));
  return Status::Ok();
}

StatusOr<VideoGrant> ReadVideoGrant(const json& video) {
  if (!video.is_object()) return WrongType("video", "an object");
  VideoGrant grant;
  for (const auto& claim : kBoolClaims) {
    std::optional<bool> value;
    AURALINK_RETURN_IF_ERROR(ReadBool(video, claim.name, &value));
    grant.*claim.field = value.value_or(false);
  }
  for (const auto& claim : kOptionalBoolClaims) {
    AURALINK_RETURN_IF_ERROR(ReadBool(video, claim.name, &(grant.*claim.field)));
  }
  AURALINK_RETURN_IF_ERROR(ReadString(video, "room", "video.", &grant.room));
  AURALINK_RETURN_IF_ERROR(ReadString(video, "destinationRoom", "video.", &grant.destination_room));
  if (const auto it = video.find("canPublishSources"); it != video.end() && !it->is_null()) {
    if (!it->is_array()) return WrongType("video.canPublishSources", "an array of strings");
    for (const auto& source : *it) {
      if (!source.is_string()) return WrongType("video.canPublishSources", "an array of strings");
      grant.can_publish_sources.push_back(source.get<std::string>());
    }
  }
  return grant;
}

}  // namespace

json ClaimGrantsToJwtPayload(const ClaimGrants& grants) {
  json payload = json::object();
  if (!grants.api_key.empty()) payload["iss"] = grants.api_key;
  if (!grants.identity.empty()) payload["sub"] = grants.identity;
  if (grants.not_before_s != 0) payload["nbf"] = grants.not_before_s;
  payload["exp"] = grants.expires_at_s;
  if (!grants.name.empty()) payload["name"] = grants.name;
  if (!grants.metadata.empty()) payload["metadata"] = grants.metadata;
  if (!grants.attributes.empty()) payload["attributes"] = grants.attributes;
  if (!grants.kind.empty()) payload["kind"] = grants.kind;
  if (!grants.sha256.empty()) payload["sha256"] = grants.sha256;
  if (!grants.room_preset.empty()) payload["roomPreset"] = grants.room_preset;
  if (!grants.room_config.is_null()) payload["roomConfig"] = grants.room_config;
  if (grants.video) {
    const VideoGrant& grant = *grants.video;
    json video = json::object();
    for (const auto& claim : kBoolClaims) {
      if (grant.*claim.field) video[claim.name] = true;
    }
    for (const auto& claim : kOptionalBoolClaims) {
      if (const auto& value = grant.*claim.field) video[claim.name] = *value;
    }
    if (!grant.room.empty()) video["room"] = grant.room;
    if (!grant.destination_room.empty()) video["destinationRoom"] = grant.destination_room;
    if (!grant.can_publish_sources.empty()) video["canPublishSources"] = grant.can_publish_sources;
    payload["video"] = std::move(video);
  }
  return payload;
}

StatusOr<ClaimGrants> ClaimGrantsFromJwtPayload(const json& payload) {
  if (!payload.is_object()) return Status::Error("payload is not a JSON object");
  ClaimGrants grants;
  AURALINK_RETURN_IF_ERROR(ReadString(payload, "iss", "", &grants.api_key));
  AURALINK_RETURN_IF_ERROR(ReadString(payload, "sub", "", &grants.identity));
  AURALINK_RETURN_IF_ERROR(ReadString(payload, "name", "", &grants.name));
  AURALINK_RETURN_IF_ERROR(ReadString(payload, "metadata", "", &grants.metadata));
  AURALINK_RETURN_IF_ERROR(ReadString(payload, "kind", "", &grants.kind));
  AURALINK_RETURN_IF_ERROR(ReadString(payload, "sha256", "", &grants.sha256));
  AURALINK_RETURN_IF_ERROR(ReadString(payload, "roomPreset", "", &grants.room_preset));
  AURALINK_RETURN_IF_ERROR(ReadNumericDate(payload, "nbf", &grants.not_before_s));
  AURALINK_RETURN_IF_ERROR(ReadNumericDate(payload, "exp", &grants.expires_at_s));
  if (const auto it = payload.find("attributes"); it != payload.end() && !it->is_null()) {
    if (!it->is_object()) return WrongType("attributes", "an object of strings");
    for (const auto& [key, value] : it->items()) {
      if (!value.is_string()) return WrongType("attributes." + key, "a string");
      grants.attributes[key] = value.get<std::string>();
    }
  }
  if (const auto it = payload.find("roomConfig"); it != payload.end() && !it->is_null()) {
    if (!it->is_object()) return WrongType("roomConfig", "an object");
    grants.room_config = *it;
  }
  if (const auto it = payload.find("video"); it != payload.end() && !it->is_null()) {
    auto video = ReadVideoGrant(*it);
    if (!video.ok()) return video.status();
    grants.video = std::move(video).value();
  }
  return grants;
}

}  // namespace auralink::signal

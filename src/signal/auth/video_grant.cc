#include "signal/auth/video_grant.h"

#include <algorithm>

namespace auralink::signal {

bool VideoGrant::CanPublishSource(std::string_view source) const {
  if (!CanPublish()) return false;
  if (can_publish_sources.empty()) return true;
  return std::find(can_publish_sources.begin(), can_publish_sources.end(), source) !=
         can_publish_sources.end();
}

}  // namespace auralink::signal

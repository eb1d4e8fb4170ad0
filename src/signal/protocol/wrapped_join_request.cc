#include "signal/protocol/wrapped_join_request.h"

#include <zlib.h>

#include <string>
#include <vector>

#include "signal/auth/base64_url.h"
#include "signal/protocol/signal_message.h"

namespace auralink::signal {
namespace {

// RFC 1952 through zlib's gzip wrapper (window bits 15 + 16), stopping at `max_bytes` of output.
StatusOr<std::vector<uint8_t>> Gunzip(const std::string& compressed, size_t max_bytes) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return Status::Error("gzip: cannot start zlib");
  std::vector<uint8_t> out;
  std::vector<uint8_t> chunk(16 << 10);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  int result = Z_OK;
  while (result != Z_STREAM_END) {
    stream.next_out = chunk.data();
    stream.avail_out = static_cast<uInt>(chunk.size());
    result = inflate(&stream, Z_NO_FLUSH);
    if (result != Z_OK && result != Z_STREAM_END) {
      const std::string why = stream.msg != nullptr ? stream.msg : "truncated or corrupt data";
      inflateEnd(&stream);
      return Status::Error("gzip: " + why);
    }
    const size_t produced = chunk.size() - stream.avail_out;
    if (out.size() + produced > max_bytes) {
      inflateEnd(&stream);
      return Status::Error("gzip: inflates beyond " + std::to_string(max_bytes) + " bytes");
    }
    out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(produced));
    if (result == Z_OK && produced == 0 && stream.avail_in == 0) {
      inflateEnd(&stream);
      return Status::Error("gzip: truncated or corrupt data");
    }
  }
  const bool trailing = stream.avail_in != 0;
  inflateEnd(&stream);
  if (trailing) return Status::Error("gzip: bytes after the end of the stream");
  return out;
}

std::string Gzip(std::span<const uint8_t> bytes) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK)
    return {};
  std::string out(deflateBound(&stream, static_cast<uLong>(bytes.size())), '\0');
  stream.next_in = const_cast<Bytef*>(bytes.data());
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(result == Z_STREAM_END ? stream.total_out : 0);
  deflateEnd(&stream);
  return out;
}

}  // namespace

StatusOr<livekit::JoinRequest> DecodeJoinRequestParameter(std::string_view base64) {
  if (base64.size() > kMaxJoinRequestBytes)
    return Status::Error("join_request: longer than " + std::to_string(kMaxJoinRequestBytes) +
                         " characters");
  // livekit-client pads (btoa) and swaps '+' and '/' for '-' and '_'; accept both alphabets.
  std::string text(base64);
  while (!text.empty() && text.back() == '=') text.pop_back();
  if (base64.size() - text.size() > 2) return Status::Error("join_request: not base64");
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  std::optional<std::vector<uint8_t>> bytes = Base64UrlDecode(text);
  if (!bytes) return Status::Error("join_request: not base64");
  livekit::WrappedJoinRequest wrapped;
  if (Status parsed = ParseBinaryMessage(*bytes, kMaxJoinRequestBytes, &wrapped); !parsed.ok())
    return Status::Error("join_request: " + parsed.message());
  std::vector<uint8_t> inflated;
  std::span<const uint8_t> request_bytes(
      reinterpret_cast<const uint8_t*>(wrapped.join_request().data()),
      wrapped.join_request().size());
  switch (wrapped.compression()) {
    case livekit::WrappedJoinRequest::NONE:
      break;
    case livekit::WrappedJoinRequest::GZIP: {
      auto gunzipped = Gunzip(wrapped.join_request(), kMaxJoinRequestBytes);
      if (!gunzipped.ok()) return Status::Error("join_request: " + gunzipped.status().message());
      inflated = std::move(*gunzipped);
      request_bytes = inflated;
      break;
    }
    default:
      return Status::Error("join_request: unknown compression " +
                           std::to_string(static_cast<int>(wrapped.compression())));
  }
  livekit::JoinRequest request;
  if (Status parsed = ParseBinaryMessage(request_bytes, kMaxJoinRequestBytes, &request);
      !parsed.ok())
    return Status::Error("join_request: " + parsed.message());
  return request;
}

std::string EncodeJoinRequestParameter(const livekit::JoinRequest& request, bool gzip) {
  const std::vector<uint8_t> bytes = SerializeMessage(request);
  livekit::WrappedJoinRequest wrapped;
  if (gzip) {
    wrapped.set_compression(livekit::WrappedJoinRequest::GZIP);
    wrapped.set_join_request(Gzip(bytes));
  } else {
    wrapped.set_join_request(std::string(bytes.begin(), bytes.end()));
  }
  return Base64UrlEncode(SerializeMessage(wrapped));
}

}  // namespace auralink::signal

#include "aic/video/dav1d_decoder.h"

#include <dav1d/dav1d.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <string>

namespace auralink::video {
namespace {

// dav1d reports each corrupt unit on stderr; the error already comes back as a Status.
void DropLogLine(void* /*cookie*/, const char* /*format*/, va_list /*arguments*/) {}

std::string ErrorText(int result) { return std::strerror(-result); }

}  // namespace

struct Dav1dDecoder::State {
  Dav1dContext* context = nullptr;
  bool waiting_for_keyframe = false;
  int64_t frames_decoded = 0;
  ~State() {
    if (context != nullptr) dav1d_close(&context);
  }
};

Dav1dDecoder::Dav1dDecoder(std::unique_ptr<State> state) : state_(std::move(state)) {}
Dav1dDecoder::~Dav1dDecoder() = default;

StatusOr<std::unique_ptr<Dav1dDecoder>> Dav1dDecoder::Create() {
  Dav1dSettings settings;
  dav1d_default_settings(&settings);
  settings.n_threads = 1;
  settings.max_frame_delay = 1;
  settings.all_layers = 0;  // the highest spatial layer only
  settings.frame_size_limit = static_cast<unsigned>(kMaxVideoDimension) * kMaxVideoDimension;
  settings.logger.cookie = nullptr;
  settings.logger.callback = DropLogLine;
  auto state = std::make_unique<State>();
  if (const int result = dav1d_open(&state->context, &settings); result < 0) {
    return Status::Error("dav1d: cannot open a decoder (" + ErrorText(result) + ")");
  }
  return std::unique_ptr<Dav1dDecoder>(new Dav1dDecoder(std::move(state)));
}

Status Dav1dDecoder::Decode(std::span<const uint8_t> data, std::vector<VideoFrame>* out) {
  State& state = *state_;
  if (data.empty()) return Status::Error("AV1 decoder: empty frame");
  Dav1dData input{};
  uint8_t* buffer = dav1d_data_create(&input, data.size());
  if (buffer == nullptr) return Status::Error("AV1 decoder: out of memory");
  std::memcpy(buffer, data.data(), data.size());

  std::vector<VideoFrame> frames;
  bool saw_keyframe = false;
  Status failure = Status::Ok();
  while (true) {
    bool stalled = false;  // dav1d wants a picture taken before it accepts more data
    if (input.sz > 0) {
      const int sent = dav1d_send_data(state.context, &input);
      if (sent < 0 && sent != DAV1D_ERR(EAGAIN)) {
        failure = Status::Error("AV1 decoder: corrupt data (" + ErrorText(sent) + ")");
        break;
      }
      stalled = sent == DAV1D_ERR(EAGAIN);
    }
    Dav1dPicture picture{};
    const int got = dav1d_get_picture(state.context, &picture);
    if (got == DAV1D_ERR(EAGAIN)) {
      if (input.sz == 0) break;
      if (stalled) {
        failure = Status::Error("AV1 decoder: stalled (takes no data, gives no picture)");
        break;
      }
      continue;
    }
    if (got < 0) {
      failure = Status::Error("AV1 decoder: corrupt data (" + ErrorText(got) + ")");
      break;
    }
    if (picture.p.layout != DAV1D_PIXEL_LAYOUT_I420 || picture.p.bpc != 8) {
      dav1d_picture_unref(&picture);
      failure = Status::Error("AV1 decoder: the stream is not 8-bit 4:2:0");
      break;
    }
    saw_keyframe = saw_keyframe || (picture.frame_hdr != nullptr &&
                                    picture.frame_hdr->frame_type == DAV1D_FRAME_TYPE_KEY);
    const auto* planes = reinterpret_cast<uint8_t* const*>(picture.data);
    VideoFrame frame = VideoFrame::CopyFromPlanes(
        picture.p.w, picture.p.h, planes[0], static_cast<int>(picture.stride[0]), planes[1],
        static_cast<int>(picture.stride[1]), planes[2], static_cast<int>(picture.stride[1]));
    dav1d_picture_unref(&picture);
    frame.pts = state.frames_decoded++;
    frames.push_back(std::move(frame));
  }
  dav1d_data_unref(&input);
  if (!failure.ok()) {
    // Drops whatever half-decoded state the unit left so the next key frame starts clean.
    dav1d_flush(state.context);
    state.waiting_for_keyframe = true;
    return failure;
  }
  if (state.waiting_for_keyframe && !saw_keyframe) {
    if (frames.empty()) return Status::Ok();
    return Status::Error("AV1 decoder: waiting for a key frame after a corrupt frame");
  }
  state.waiting_for_keyframe = false;
  for (VideoFrame& frame : frames) out->push_back(std::move(frame));
  return Status::Ok();
}

}  // namespace auralink::video

// The two encoder set-ups the AIC video engine runs, shared by the pipeline and the rate model's
// training so the model learns exactly what the pipeline will do.
#pragma once

#include "aic/video/policy/rate_quality_model.h"
#include "aic/video/video_codec.h"

namespace auralink::video {

// Frames are numbered in a 90 kHz-free way: frame rates become numerator/1000.
void SetFrameRate(double fps, VideoEncoderConfig* config);

// AIC: constant quality at `quantizer` (codec scale) with no bitrate cap, no periodic key frames
// (a call asks for them: PLI), single-threaded, and error resilience off, as libwebrtc runs a
// single-layer stream (it sets it only with temporal layers); loss is repaired by a key frame on
// request either way.
VideoEncoderConfig QualityEncoderConfig(const EncoderProfile& profile, int width, int height,
                                        double fps, int quantizer,
                                        VideoContentType content = VideoContentType::kCamera);

// The baseline a LiveKit browser sends: VP8, CBR at livekit-client's default camera preset for
// the source size (its bitrate; frame rate min(preset, source)), libwebrtc's speed -6 and qmax 56,
// the wrapper's defaults otherwise (as `auralink video baseline`).
VideoEncoderConfig BaselineEncoderConfig(int width, int height, double source_fps);

}  // namespace auralink::video

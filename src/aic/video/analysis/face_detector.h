// Faces for region-of-interest coding, found with the cascade classifiers OpenCV ships (Viola and
// Jones 2001 with Haar features, or LBP features after Liao et al. 2007) on a downscaled luma
// plane. The cascade runs on every Nth frame only; between runs the last faces are held, and each
// face is smoothed over detections so the region map does not jitter with the detector.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "video/video_frame.h"

namespace cv {
class CascadeClassifier;
}

namespace auralink::video {

// A face in full-frame luma coordinates (clamped to the frame).
struct FaceRectangle {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
};

// Where Debian's opencv-data puts the cascades; the first that exists is the default. The
// original LBP cascade comes first: its 24x24 window finds the 24-45 pixel faces a 320-wide
// detection image holds, which the 45x45 "improved" cascade cannot (on the shared clips, 2
// people at 320x192: 9 of 9 frames against 0 of 9; a 720p desk webcam: 7 of 19 against 0 of 19),
// and it runs 3x faster than the Haar cascade, which finds a few more.
inline constexpr const char* kDefaultFaceCascades[] = {
    "/usr/share/opencv4/lbpcascades/lbpcascade_frontalface.xml",
    "/usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml",
    "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml",
};

struct FaceDetectorConfig {
  std::string cascade_path;   // empty: the first of kDefaultFaceCascades that exists
  int detection_width = 320;  // the luma is box-downscaled to at most this width for the cascade
  // Run the cascade on every Nth frame given to Track(): one run costs 6-10 ms on a 320x180
  // image here, so every 10th frame keeps faces under 1 ms per frame; faces in a call move slowly.
  int detection_interval = 10;
  // Cascade search: pyramid step, neighbours a detection needs, smallest face relative to the
  // shorter frame side. The search cost is mostly in the small scales, so the minimum size
  // matters: 0.15 keeps a webcam face (~25% of the height or more) and skips the costliest levels.
  double scale_factor = 1.1;
  int min_neighbors = 3;
  double min_face_fraction = 0.15;
  // A tracked face survives this many frames without being detected again (blinks, turns).
  int hold_frames = 25;
  // Weight of a new detection in a tracked face's rectangle (1 = no smoothing).
  double smoothing = 0.5;
};

class FaceDetector {
 public:
  // Errors: no cascade file at the path (or none of the defaults installed: "install
  // opencv-data"), a file OpenCV cannot load as a cascade, or a configuration out of range.
  static StatusOr<std::unique_ptr<FaceDetector>> Create(const FaceDetectorConfig& config = {});
  ~FaceDetector();
  FaceDetector(const FaceDetector&) = delete;
  FaceDetector& operator=(const FaceDetector&) = delete;

  // Runs the cascade on this frame alone (no tracking).
  StatusOr<std::vector<FaceRectangle>> Detect(const VideoFrame& frame);

  // The faces of the next frame of a stream: the cascade on every detection_interval-th call
  // (the first included), the held and smoothed faces otherwise. A change of frame size starts
  // tracking afresh.
  StatusOr<std::vector<FaceRectangle>> Track(const VideoFrame& frame);
  // Whether the last Track() ran the cascade.
  bool ran_cascade() const { return ran_cascade_; }

  const std::string& cascade_path() const { return cascade_path_; }
  const FaceDetectorConfig& config() const { return config_; }

 private:
  struct TrackedFace {
    double x, y, width, height;  // smoothed, full-frame coordinates
    int frames_since_detection = 0;
  };

  FaceDetector(const FaceDetectorConfig& config, std::string cascade_path,
               std::unique_ptr<cv::CascadeClassifier> cascade);
  std::vector<FaceRectangle> TrackedRectangles() const;

  FaceDetectorConfig config_;
  std::string cascade_path_;
  std::unique_ptr<cv::CascadeClassifier> cascade_;
  std::vector<uint8_t> small_luma_;
  std::vector<TrackedFace> tracked_;
  int frames_until_detection_ = 0;
  int frame_width_ = 0;
  int frame_height_ = 0;
  bool ran_cascade_ = false;
};

}  // namespace auralink::video

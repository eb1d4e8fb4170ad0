#include "aic/video/analysis/face_detector.h"

#include <libyuv/scale.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/core/types.hpp>
#include <opencv2/objdetect.hpp>

namespace auralink::video {
namespace {

constexpr int kMinFrameSize = 16;
// A detection continues a tracked face when the two overlap this much (intersection over union).
constexpr double kSameFaceOverlap = 0.3;
// A detection this much inside a larger one is the same face found at another scale.
constexpr double kNestedFaceOverlap = 0.6;

double Overlap(double ax, double ay, double aw, double ah, double bx, double by, double bw,
               double bh) {
  const double ix = std::max(0.0, std::min(ax + aw, bx + bw) - std::max(ax, bx));
  const double iy = std::max(0.0, std::min(ay + ah, by + bh) - std::max(ay, by));
  const double intersection = ix * iy;
  const double united = aw * ah + bw * bh - intersection;
  return united > 0 ? intersection / united : 0.0;
}

Status CheckFrame(const VideoFrame& frame) {
  if (frame.width < kMinFrameSize || frame.height < kMinFrameSize) {
    return Status::Error("face detection needs frames of at least 16x16, got " +
                         std::to_string(frame.width) + "x" + std::to_string(frame.height));
  }
  if (frame.data.size() != VideoFrame::BufferSize(frame.width, frame.height)) {
    return Status::Error(
        "frame buffer holds " + std::to_string(frame.data.size()) + " bytes, not the " +
        std::to_string(VideoFrame::BufferSize(frame.width, frame.height)) + " of a " +
        std::to_string(frame.width) + "x" + std::to_string(frame.height) + " I420 frame");
  }
  return Status::Ok();
}

}  // namespace

FaceDetector::FaceDetector(const FaceDetectorConfig& config, std::string cascade_path,
                           std::unique_ptr<cv::CascadeClassifier> cascade)
    : config_(config), cascade_path_(std::move(cascade_path)), cascade_(std::move(cascade)) {}

FaceDetector::~FaceDetector() = default;

StatusOr<std::unique_ptr<FaceDetector>> FaceDetector::Create(const FaceDetectorConfig& config) {
  if (config.detection_width < kMinFrameSize) {
    return Status::Error("face detector detection_width must be at least 16");
  }
  if (config.detection_interval < 1) {
    return Status::Error("face detector detection_interval must be at least 1");
  }
  if (!(config.scale_factor > 1.0 && config.scale_factor <= 2.0)) {
    return Status::Error("face detector scale_factor must be in (1, 2]");
  }
  if (config.min_neighbors < 0 || config.hold_frames < 0) {
    return Status::Error("face detector min_neighbors and hold_frames must not be negative");
  }
  if (!(config.min_face_fraction >= 0.0 && config.min_face_fraction < 1.0)) {
    return Status::Error("face detector min_face_fraction must be in [0, 1)");
  }
  if (!(config.smoothing > 0.0 && config.smoothing <= 1.0)) {
    return Status::Error("face detector smoothing must be in (0, 1]");
  }

  std::string path = config.cascade_path;
  std::error_code error;
  if (path.empty()) {
    for (const char* candidate : kDefaultFaceCascades) {
      if (std::filesystem::is_regular_file(candidate, error)) {
        path = candidate;
        break;
      }
    }
    if (path.empty()) {
      std::string looked;
      for (const char* candidate : kDefaultFaceCascades) {
        looked += (looked.empty() ? "" : ", ") + std::string(candidate);
      }
      return Status::Error("no face cascade found (looked for " + looked +
                           "; install Debian's opencv-data or give a cascade path)");
    }
  } else if (!std::filesystem::is_regular_file(path, error)) {
    return Status::Error(path + ": face cascade file not found");
  }

  auto cascade = std::make_unique<cv::CascadeClassifier>();
  bool loaded = false;
  try {
    loaded = cascade->load(path);
  } catch (const cv::Exception& exception) {
    return Status::Error(path + ": OpenCV cannot read the face cascade (" + exception.msg + ")");
  }
  if (!loaded || cascade->empty()) {
    return Status::Error(path + ": not a cascade classifier OpenCV can load");
  }
  return std::unique_ptr<FaceDetector>(
      new FaceDetector(config, std::move(path), std::move(cascade)));
}

StatusOr<std::vector<FaceRectangle>> FaceDetector::Detect(const VideoFrame& frame) {
  AURALINK_RETURN_IF_ERROR(CheckFrame(frame));
  const int small_width = std::min(frame.width, config_.detection_width);
  const int small_height = std::max(
      1,
      static_cast<int>(std::lround(static_cast<double>(frame.height) * small_width / frame.width)));
  small_luma_.resize(static_cast<size_t>(small_width) * small_height);
  if (small_width == frame.width) {
    std::copy(frame.data.begin(), frame.data.begin() + small_luma_.size(), small_luma_.begin());
  } else {
    libyuv::ScalePlane(frame.data.data(), frame.width, frame.width, frame.height,
                       small_luma_.data(), small_width, small_width, small_height,
                       libyuv::kFilterBox);
  }
  const cv::Mat image(small_height, small_width, CV_8UC1, small_luma_.data());
  const int min_size =
      static_cast<int>(config_.min_face_fraction * std::min(small_width, small_height));
  std::vector<cv::Rect> found;
  try {
    cascade_->detectMultiScale(image, found, config_.scale_factor, config_.min_neighbors, 0,
                               cv::Size(min_size, min_size));
  } catch (const cv::Exception& exception) {
    return Status::Error("face detection failed (" + exception.msg + ")");
  }
  // The cascade's neighbour grouping keeps nested detections of one face at different scales
  // apart; keep the larger of two that mostly overlap.
  std::sort(found.begin(), found.end(),
            [](const cv::Rect& a, const cv::Rect& b) { return a.area() > b.area(); });
  std::vector<cv::Rect> kept;
  for (const cv::Rect& candidate : found) {
    const bool nested = std::any_of(kept.begin(), kept.end(), [&](const cv::Rect& larger) {
      return (candidate & larger).area() >= kNestedFaceOverlap * candidate.area();
    });
    if (!nested) kept.push_back(candidate);
  }
  found.swap(kept);

  const double scale_x = static_cast<double>(frame.width) / small_width;
  const double scale_y = static_cast<double>(frame.height) / small_height;
  std::vector<FaceRectangle> faces;
  faces.reserve(found.size());
  for (const cv::Rect& rect : found) {
    FaceRectangle face;
    face.x = std::clamp(static_cast<int>(std::lround(rect.x * scale_x)), 0, frame.width - 1);
    face.y = std::clamp(static_cast<int>(std::lround(rect.y * scale_y)), 0, frame.height - 1);
    face.width =
        std::clamp(static_cast<int>(std::lround(rect.width * scale_x)), 1, frame.width - face.x);
    face.height =
        std::clamp(static_cast<int>(std::lround(rect.height * scale_y)), 1, frame.height - face.y);
    faces.push_back(face);
  }
  return faces;
}

StatusOr<std::vector<FaceRectangle>> FaceDetector::Track(const VideoFrame& frame) {
  AURALINK_RETURN_IF_ERROR(CheckFrame(frame));
  if (frame.width != frame_width_ || frame.height != frame_height_) {
    tracked_.clear();
    frames_until_detection_ = 0;
    frame_width_ = frame.width;
    frame_height_ = frame.height;
  }
  ran_cascade_ = frames_until_detection_ == 0;
  if (!ran_cascade_) {
    --frames_until_detection_;
    for (TrackedFace& face : tracked_) ++face.frames_since_detection;
    std::erase_if(tracked_, [&](const TrackedFace& face) {
      return face.frames_since_detection > config_.hold_frames;
    });
    return TrackedRectangles();
  }
  frames_until_detection_ = config_.detection_interval - 1;

  StatusOr<std::vector<FaceRectangle>> detected = Detect(frame);
  if (!detected.ok()) return detected.status();
  for (TrackedFace& face : tracked_) ++face.frames_since_detection;
  const double a = config_.smoothing;
  for (const FaceRectangle& found : *detected) {
    TrackedFace* best = nullptr;
    double best_overlap = kSameFaceOverlap;
    for (TrackedFace& face : tracked_) {
      const double overlap = Overlap(face.x, face.y, face.width, face.height, found.x, found.y,
                                     found.width, found.height);
      if (overlap >= best_overlap) {
        best_overlap = overlap;
        best = &face;
      }
    }
    if (best == nullptr) {
      tracked_.push_back({static_cast<double>(found.x), static_cast<double>(found.y),
                          static_cast<double>(found.width), static_cast<double>(found.height), 0});
    } else {
      best->x += a * (found.x - best->x);
      best->y += a * (found.y - best->y);
      best->width += a * (found.width - best->width);
      best->height += a * (found.height - best->height);
      best->frames_since_detection = 0;
    }
  }
  std::erase_if(tracked_, [&](const TrackedFace& face) {
    return face.frames_since_detection > config_.hold_frames;
  });
  return TrackedRectangles();
}

std::vector<FaceRectangle> FaceDetector::TrackedRectangles() const {
  std::vector<FaceRectangle> faces;
  faces.reserve(tracked_.size());
  for (const TrackedFace& face : tracked_) {
    FaceRectangle rect;
    rect.x = std::clamp(static_cast<int>(std::lround(face.x)), 0, frame_width_ - 1);
    rect.y = std::clamp(static_cast<int>(std::lround(face.y)), 0, frame_height_ - 1);
    rect.width = std::clamp(static_cast<int>(std::lround(face.width)), 1, frame_width_ - rect.x);
    rect.height = std::clamp(static_cast<int>(std::lround(face.height)), 1, frame_height_ - rect.y);
    faces.push_back(rect);
  }
  return faces;
}

}  // namespace auralink::video

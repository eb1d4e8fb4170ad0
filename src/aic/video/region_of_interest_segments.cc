#include "aic/video/region_of_interest_segments.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

namespace auralink::video {

StatusOr<RegionOfInterestSegments> QuantizeRegionOfInterest(const RegionOfInterestMap& map,
                                                            int width, int height, int block_size,
                                                            int max_segments, int max_delta) {
  const int columns = (width + 15) / 16;
  const int rows = (height + 15) / 16;
  if (map.block_columns != columns || map.block_rows != rows ||
      map.quantizer_delta.size() != static_cast<size_t>(columns) * rows) {
    return Status::Error("region-of-interest map is " + std::to_string(map.block_columns) + "x" +
                         std::to_string(map.block_rows) + " blocks with " +
                         std::to_string(map.quantizer_delta.size()) + " deltas; a " +
                         std::to_string(width) + "x" + std::to_string(height) + " frame needs " +
                         std::to_string(columns) + "x" + std::to_string(rows));
  }
  if (block_size != 16 && block_size != 8) {
    return Status::Error("region-of-interest blocks must be 16 or 8 pixels");
  }
  if (max_segments < 1) return Status::Error("no region-of-interest segments to use");

  // Distinct clamped deltas with their block counts, in ascending order.
  std::map<int, int64_t> histogram;
  for (int8_t delta : map.quantizer_delta) {
    ++histogram[std::clamp<int>(delta, -max_delta, max_delta)];
  }
  std::vector<int> values;
  std::vector<int64_t> counts;
  for (const auto& [value, count] : histogram) {
    values.push_back(value);
    counts.push_back(count);
  }
  const int distinct = static_cast<int>(values.size());
  const int groups = std::min(max_segments, distinct);

  // Prefix sums for the weighted squared error of grouping values[i..j] around their mean.
  std::vector<double> weight(distinct + 1, 0), sum(distinct + 1, 0), square(distinct + 1, 0);
  for (int i = 0; i < distinct; ++i) {
    weight[i + 1] = weight[i] + static_cast<double>(counts[i]);
    sum[i + 1] = sum[i] + static_cast<double>(counts[i]) * values[i];
    square[i + 1] = square[i] + static_cast<double>(counts[i]) * values[i] * values[i];
  }
  auto error = [&](int first, int last) {  // inclusive
    const double w = weight[last + 1] - weight[first];
    const double s = sum[last + 1] - sum[first];
    return (square[last + 1] - square[first]) - s * s / w;
  };
  // cost[k][j]: best error putting values[0..j] into k+1 groups; split[k][j]: first of the last.
  const double kInfinity = std::numeric_limits<double>::infinity();
  std::vector<std::vector<double>> cost(groups, std::vector<double>(distinct, kInfinity));
  std::vector<std::vector<int>> split(groups, std::vector<int>(distinct, 0));
  for (int j = 0; j < distinct; ++j) cost[0][j] = error(0, j);
  for (int k = 1; k < groups; ++k) {
    for (int j = k; j < distinct; ++j) {
      for (int first = k; first <= j; ++first) {
        const double candidate = cost[k - 1][first - 1] + error(first, j);
        if (candidate < cost[k][j]) {
          cost[k][j] = candidate;
          split[k][j] = first;
        }
      }
    }
  }
  // Walks the splits back to label each distinct value with its group.
  std::vector<int> group_of_value(distinct, 0);
  RegionOfInterestSegments result;
  result.segment_delta.assign(groups, 0);
  int last = distinct - 1;
  for (int k = groups - 1; k >= 0; --k) {
    const int first = k == 0 ? 0 : split[k][last];
    for (int i = first; i <= last; ++i) group_of_value[i] = k;
    const double mean = (sum[last + 1] - sum[first]) / (weight[last + 1] - weight[first]);
    result.segment_delta[k] = static_cast<int>(std::lround(mean));
    last = first - 1;
  }
  std::map<int, uint8_t> segment_of_value;
  for (int i = 0; i < distinct; ++i) {
    segment_of_value[values[i]] = static_cast<uint8_t>(group_of_value[i]);
  }

  const int scale = 16 / block_size;
  const int block_columns = (width + block_size - 1) / block_size;
  const int block_rows = (height + block_size - 1) / block_size;
  result.segment_of_block.resize(static_cast<size_t>(block_columns) * block_rows);
  for (int row = 0; row < block_rows; ++row) {
    for (int column = 0; column < block_columns; ++column) {
      const int8_t delta =
          map.quantizer_delta[static_cast<size_t>(row / scale) * columns + column / scale];
      result.segment_of_block[static_cast<size_t>(row) * block_columns + column] =
          segment_of_value[std::clamp<int>(delta, -max_delta, max_delta)];
    }
  }
  return result;
}

}  // namespace auralink::video

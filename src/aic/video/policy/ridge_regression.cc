#include "aic/video/policy/ridge_regression.h"

#include <cmath>
#include <string>

namespace auralink::video {

StatusOr<std::vector<double>> FitRidgeRegression(const std::vector<std::vector<double>>& rows,
                                                 const std::vector<double>& targets, double ridge) {
  if (rows.empty()) return Status::Error("regression: no samples");
  if (rows.size() != targets.size())
    return Status::Error("regression: rows and targets differ in number");
  const size_t columns = rows.front().size();
  if (columns == 0) return Status::Error("regression: no features");
  for (const auto& row : rows) {
    if (row.size() != columns) return Status::Error("regression: rows of unequal length");
  }
  // Normal equations A w = b with A = X'X + ridge I (intercept unpenalised).
  std::vector<double> a(columns * columns, 0.0);
  std::vector<double> b(columns, 0.0);
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto& row = rows[r];
    for (size_t i = 0; i < columns; ++i) {
      b[i] += row[i] * targets[r];
      for (size_t j = 0; j <= i; ++j) a[i * columns + j] += row[i] * row[j];
    }
  }
  for (size_t i = 1; i < columns; ++i)
    a[i * columns + i] += ridge * static_cast<double>(rows.size());
  // Cholesky A = L L' in the lower triangle.
  for (size_t j = 0; j < columns; ++j) {
    double diagonal = a[j * columns + j];
    for (size_t k = 0; k < j; ++k) diagonal -= a[j * columns + k] * a[j * columns + k];
    if (!(diagonal > 1e-12)) {
      return Status::Error("regression: the features are linearly dependent (column " +
                           std::to_string(j) + ")");
    }
    const double pivot = std::sqrt(diagonal);
    a[j * columns + j] = pivot;
    for (size_t i = j + 1; i < columns; ++i) {
      double value = a[i * columns + j];
      for (size_t k = 0; k < j; ++k) value -= a[i * columns + k] * a[j * columns + k];
      a[i * columns + j] = value / pivot;
    }
  }
  std::vector<double> w(columns, 0.0);
  for (size_t i = 0; i < columns; ++i) {  // L z = b
    double value = b[i];
    for (size_t k = 0; k < i; ++k) value -= a[i * columns + k] * w[k];
    w[i] = value / a[i * columns + i];
  }
  for (size_t i = columns; i-- > 0;) {  // L' w = z
    double value = w[i];
    for (size_t k = i + 1; k < columns; ++k) value -= a[k * columns + i] * w[k];
    w[i] = value / a[i * columns + i];
  }
  return w;
}

}  // namespace auralink::video

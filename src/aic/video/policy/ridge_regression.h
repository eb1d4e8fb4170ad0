// Linear least squares with a small ridge penalty (Hoerl and Kennard 1970): the fit behind every
// coefficient vector of the rate model. The penalty keeps rarely varied features (a content flag
// no training clip sets, say) at zero instead of letting them absorb noise.
#pragma once

#include <vector>

#include "common/status.h"

namespace auralink::video {

// Solves min |X w - y|^2 + ridge * |w[1:]|^2 (the first column, the intercept, is not penalised)
// through the normal equations and a Cholesky factorisation. Errors: no rows, rows of unequal
// length, or features that stay linearly dependent despite the penalty.
StatusOr<std::vector<double>> FitRidgeRegression(const std::vector<std::vector<double>>& rows,
                                                 const std::vector<double>& targets,
                                                 double ridge = 1e-3);

}  // namespace auralink::video

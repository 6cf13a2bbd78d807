// Early-return helpers for absl::Status, which Abseil 20220623 does not ship.
//
//   RETURN_IF_ERROR(store.Write(batch));
//   ASSIGN_OR_RETURN(std::string value, store.Get(key));
#ifndef SALESTRACK_STATUS_MACROS_H_
#define SALESTRACK_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SALESTRACK_CONCAT_INNER_(a, b) a##b
#define SALESTRACK_CONCAT_(a, b) SALESTRACK_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                               \
  do {                                                      \
    if (::absl::Status _st = (expr); !_st.ok()) return _st; \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  SALESTRACK_ASSIGN_OR_RETURN_IMPL_(SALESTRACK_CONCAT_(_status_or_, __LINE__), lhs, expr)

#define SALESTRACK_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                      \
  if (!tmp.ok()) return tmp.status();                     \
  lhs = std::move(tmp).value()

#endif  // SALESTRACK_STATUS_MACROS_H_

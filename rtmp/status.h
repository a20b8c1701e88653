// Status and Result: the error type of the data path (no exceptions there).
// `reason` is a stable id such as "rtmp.bad_chunk_size" that also names the metric counter;
// `detail` is a human sentence for logs. Neither ever carries a stream key secret.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sg {

struct Error {
  std::string_view reason;  // static storage: a string literal
  std::string detail;
};

class Status {
 public:
  Status() = default;
  Status(Error e) : err_(std::move(e)), ok_(false) {}  // NOLINT: implicit by design
  static Status ok() { return {}; }
  bool is_ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return err_; }
  std::string_view reason() const { return ok_ ? std::string_view{} : err_.reason; }

 private:
  Error err_{};
  bool ok_ = true;
};

template <class T>
class Result {
 public:
  Result(T v) : v_(std::move(v)) {}      // NOLINT
  Result(Error e) : v_(std::move(e)) {}  // NOLINT
  bool is_ok() const { return v_.index() == 0; }
  explicit operator bool() const { return is_ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }
  Status status() const { return is_ok() ? Status{} : Status{error()}; }

 private:
  std::variant<T, Error> v_;
};

inline Error make_error(std::string_view reason, std::string detail = {}) {
  return Error{reason, std::move(detail)};
}

}  // namespace sg

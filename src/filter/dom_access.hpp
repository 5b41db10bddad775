// Typed access to simdjson DOM elements whose type the caller has already checked. Binding the
// result to a local first keeps it alive while it is iterated.
#pragma once

#include <simdjson.h>

#include <string_view>

namespace shardpipe::filter::detail {

inline simdjson::dom::array array_of(simdjson::dom::element value) {
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) return {};
  return array;
}

inline simdjson::dom::object object_of(simdjson::dom::element value) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) return {};
  return object;
}

inline std::string_view string_of(simdjson::dom::element value) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return {};
  return text;
}

inline bool bool_of(simdjson::dom::element value) {
  bool flag = false;
  if (value.get_bool().get(flag) != simdjson::SUCCESS) return false;
  return flag;
}

// Integers are converted; 0 for anything that is not a number.
inline double number_of(simdjson::dom::element value) {
  double number = 0;
  if (value.get_double().get(number) != simdjson::SUCCESS) return 0;
  return number;
}

}  // namespace shardpipe::filter::detail

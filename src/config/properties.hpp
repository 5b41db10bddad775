// The property tables: one per component of the pipe file (top level, source, enrichment, target,
// retry, dead_letter, checkpoint, metrics). Each entry says how a key is parsed, validated, stored
// into PipeConfig and documented; the loader and the reference generator only read these tables.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/pipe_config.hpp"

namespace shardpipe::config {

enum class ValueType {
  string,
  integer,
  boolean,
  duration,
  size,
  enumeration,     // one of Property::allowed, written exactly
  string_list,     // a YAML sequence of scalars
  comma_list,      // a YAML sequence, or one comma-separated string
  string_map,      // a mapping of scalar to scalar
  path,            // resolved against the pipe file's folder
  rfc3339,         // a timestamp, stored as written and in Unix milliseconds
  template_value,  // null, a string (kept as written) or a mapping (kept as compact JSON)
  pattern_list,    // a sequence of mappings, each kept as compact JSON
  section,         // a nested component with its own table (top level only)
};

struct Timestamp {
  std::string text;
  int64_t unix_ms = 0;
};

// A key's value after parsing; which alternative follows from ValueType:
// string, enumeration, template_value: std::string; integer: int64_t; boolean: bool;
// duration: milliseconds (-1 where the bounds allow it); size: uint64_t bytes;
// string_list, comma_list, pattern_list: vector; string_map: map; path: absolute path;
// rfc3339: Timestamp.
using Value = std::variant<std::string, int64_t, bool, std::chrono::milliseconds, uint64_t,
                           std::vector<std::string>, std::map<std::string, std::string>,
                           std::filesystem::path, Timestamp>;

// Inclusive limits of an integer, a duration (in milliseconds) or a size (in bytes).
struct Bounds {
  std::optional<int64_t> min;
  std::optional<int64_t> max;
  bool minus_one_allowed = false;  // -1 is a special value outside [min, max] ("forever")
};

// Stores a parsed value into the configuration.
using Store = std::function<void(PipeConfig&, const Value&)>;
// An extra rule on a parsed value: the problem to report, or an empty string when it is fine.
using Check = std::function<std::string(const Value&)>;

struct Property {
  std::string_view key;
  ValueType type = ValueType::string;
  std::string_view default_text;               // as the documentation shows it
  Bounds bounds{};                             // integer, duration, size
  std::vector<std::string_view> allowed{};     // enumeration
  std::vector<std::string_view> applies_to{};  // the component types using it; empty: all
  bool required = false;                       // for the component types it applies to
  std::string_view description;
  std::string_view example;  // a YAML value that loads
  Store store = nullptr;     // nullptr only for sections
  Check check = nullptr;
  std::string_view rule{};  // what `check` enforces, for the documentation
};

struct Component {
  std::string_view name;   // the key in the pipe file; empty for the top level
  std::string_view title;  // for the documentation
  std::string_view description;
  std::span<const Property> properties;

  // The component's `type` property, or nullptr for components without types.
  const Property* type_property() const;
  const Property* find(std::string_view key) const;
  // "source", "target"; "the top level" for the top level.
  std::string display_name() const;
};

// Every component, the top level first, in the order the documentation lists them.
std::span<const Component> components();
const Component& top_level_component();
const Component* find_component(std::string_view name);

// The tables, one per component (defined in properties_<component>.cpp).
std::span<const Property> pipe_properties();
std::span<const Property> source_properties();
std::span<const Property> target_properties();
std::span<const Property> enrichment_properties();
std::span<const Property> retry_properties();
std::span<const Property> dead_letter_properties();
std::span<const Property> checkpoint_properties();
std::span<const Property> metrics_properties();

bool applies_to_type(const Property& property, std::string_view component_type);

// A `check` for URL values: http:// or https://.
std::string check_http_url(const Value& value);

// Human-readable pieces shared by error messages and the reference.
std::string_view type_name(const Property& property);
// A bound of a duration, size or integer as the file writes it: "5m", "6MiB", "10000".
std::string format_bound(const Property& property, int64_t bound);
// "1..10000", "-1 or 60s..7d", "TRIM_HORIZON, LATEST"; empty when there are no limits.
std::string limits_text(const Property& property);
// "every type", "kafka", "kinesis, dynamodb_streams".
std::string applies_to_text(const Property& property);
// "kafka", "kinesis and dynamodb_streams", "a, b or c".
std::string join_alternatives(std::span<const std::string_view> words,
                              std::string_view last_joiner);

}  // namespace shardpipe::config

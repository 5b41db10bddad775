#include "config/yaml_value.hpp"

#include <charconv>
#include <cstdint>
#include <optional>
#include <utility>

#include "config/closest_match.hpp"
#include "config/yaml_json.hpp"
#include "core/units.hpp"
#include "filter/event_pattern.hpp"
#include "transform/input_template.hpp"

namespace shardpipe::config {
namespace {

using Result = std::expected<Value, Problems>;

std::unexpected<Problems> problem(const YAML::Node& node, std::string message) {
  return std::unexpected(Problems{Problem{node.Mark(), std::move(message)}});
}

std::string name_of(const Property& property) {
  return std::string(property.key);
}

std::string for_example(const Property& property) {
  if (property.example.empty()) return {};
  return ", e.g. " + name_of(property) + ": " + std::string(property.example);
}

std::optional<int64_t> parse_integer(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// An error message when `value` is outside the property's bounds; nullopt when it is inside.
std::optional<std::string> bounds_problem(const Property& property, int64_t value,
                                          std::string_view as_written) {
  const Bounds& bounds = property.bounds;
  if (bounds.minus_one_allowed && value == -1) return std::nullopt;
  bool too_small = bounds.min && value < *bounds.min;
  bool too_large = bounds.max && value > *bounds.max;
  if (!too_small && !too_large) return std::nullopt;
  std::string range;
  if (bounds.min && bounds.max) {
    range = "between " + format_bound(property, *bounds.min) + " and " +
            format_bound(property, *bounds.max);
  } else if (bounds.min) {
    range = "at least " + format_bound(property, *bounds.min);
  } else {
    range = "at most " + format_bound(property, *bounds.max);
  }
  return name_of(property) + " must be " + (bounds.minus_one_allowed ? "-1 or " : "") + range +
         ", got " + std::string(as_written);
}

Result read_string(const YAML::Node& node, const Property& property) {
  if (!node.IsScalar()) {
    return problem(node, name_of(property) + " must be a string, got " + describe_node(node));
  }
  if (property.required && node.Scalar().empty()) {
    return problem(node, name_of(property) + " must not be empty" + for_example(property));
  }
  return node.Scalar();
}

Result read_integer(const YAML::Node& node, const Property& property) {
  std::optional<int64_t> number;
  if (node.IsScalar()) number = parse_integer(node.Scalar());
  if (!number) {
    return problem(node, name_of(property) + " must be an integer, got " + describe_node(node));
  }
  if (auto message = bounds_problem(property, *number, node.Scalar())) {
    return problem(node, *message);
  }
  return *number;
}

Result read_boolean(const YAML::Node& node, const Property& property) {
  if (node.IsScalar()) {
    const std::string& text = node.Scalar();
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
  }
  return problem(node, name_of(property) + " must be true or false, got " + describe_node(node));
}

Result read_duration(const YAML::Node& node, const Property& property) {
  std::string text = node.IsScalar() ? node.Scalar() : std::string();
  if (property.bounds.minus_one_allowed && text == "-1") return std::chrono::milliseconds{-1};
  std::optional<std::chrono::milliseconds> duration;
  if (node.IsScalar()) duration = parse_duration(text);
  if (!duration && all_digits(text)) {
    return problem(node, name_of(property) + " needs a unit, e.g. " + text + "ms or " + text +
                             "s, got " + describe_node(node));
  }
  if (!duration) {
    std::string minus_one = property.bounds.minus_one_allowed ? "-1 or " : "";
    return problem(node, name_of(property) + " must be " + minus_one +
                             "a duration such as 250ms, 10s, 5m, 1h or 7d, got " +
                             describe_node(node));
  }
  if (auto message = bounds_problem(property, duration->count(), text)) {
    return problem(node, *message);
  }
  return *duration;
}

Result read_size(const YAML::Node& node, const Property& property) {
  std::optional<uint64_t> bytes;
  if (node.IsScalar()) bytes = parse_size(node.Scalar());
  if (!bytes) {
    return problem(node, name_of(property) +
                             " must be a size such as 512KiB, 6MiB or 1000000 "
                             "(bytes), got " +
                             describe_node(node));
  }
  if (*bytes > static_cast<uint64_t>(INT64_MAX)) {
    return problem(node, name_of(property) + " is too large, got " + describe_node(node));
  }
  if (auto message = bounds_problem(property, static_cast<int64_t>(*bytes), node.Scalar())) {
    return problem(node, *message);
  }
  return *bytes;
}

Result read_enumeration(const YAML::Node& node, const Property& property) {
  std::string allowed = join_alternatives(property.allowed, " or ");
  if (!node.IsScalar()) {
    return problem(
        node, name_of(property) + " must be one of " + allowed + ", got " + describe_node(node));
  }
  const std::string& text = node.Scalar();
  for (std::string_view choice : property.allowed) {
    if (choice == text) return text;
  }
  std::string message =
      name_of(property) + " must be one of " + allowed + ", got " + describe_node(node);
  if (auto near = closest_match(text, property.allowed)) {
    message += "; did you mean '" + std::string(*near) + "'?";
  }
  return problem(node, message);
}

// Splits "a:9092, b:9092" into its non-empty, trimmed parts.
std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> parts;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    size_t first = part.find_first_not_of(" \t");
    if (first != std::string_view::npos) {
      size_t last = part.find_last_not_of(" \t");
      parts.emplace_back(part.substr(first, last - first + 1));
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return parts;
}

Result read_string_list(const YAML::Node& node, const Property& property) {
  std::vector<std::string> items;
  if (property.type == ValueType::comma_list && node.IsScalar()) {
    items = split_commas(node.Scalar());
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) {
      if (!item.IsScalar()) {
        YAML::Node shown = item.IsNull() ? node : item;
        return problem(shown, "each item of " + name_of(property) + " must be a string, got " +
                                  describe_node(item));
      }
      items.push_back(item.Scalar());
    }
  } else {
    std::string expected = property.type == ValueType::comma_list
                               ? " must be a list of strings or a comma-separated string"
                               : " must be a list of strings";
    return problem(node, name_of(property) + expected + for_example(property) + "; got " +
                             describe_node(node));
  }
  if (property.required && items.empty()) {
    return problem(node, name_of(property) + " must not be empty" + for_example(property));
  }
  return items;
}

Result read_string_map(const YAML::Node& node, const Property& property) {
  if (!node.IsMap()) {
    return problem(node, name_of(property) + " must be a mapping of names to values" +
                             for_example(property) + "; got " + describe_node(node));
  }
  std::map<std::string, std::string> entries;
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) {
      return problem(entry.first, "the names in " + name_of(property) + " must be strings, got " +
                                      describe_node(entry.first));
    }
    const std::string& name = entry.first.Scalar();
    if (!entry.second.IsScalar()) {
      YAML::Node shown = entry.second.IsNull() ? entry.first : entry.second;
      return problem(shown, "the value of '" + name + "' in " + name_of(property) +
                                " must be a string, got " + describe_node(entry.second));
    }
    if (!entries.emplace(name, entry.second.Scalar()).second) {
      return problem(entry.first, "'" + name + "' appears twice in " + name_of(property));
    }
  }
  return entries;
}

Result read_path(const YAML::Node& node, const Property& property,
                 const std::filesystem::path& base_dir) {
  if (!node.IsScalar() || node.Scalar().empty()) {
    return problem(node, name_of(property) + " must be a path" + for_example(property) + "; got " +
                             describe_node(node));
  }
  std::filesystem::path path(node.Scalar());
  if (path.is_relative()) path = base_dir / path;
  return path.lexically_normal();
}

Result read_timestamp(const YAML::Node& node, const Property& property) {
  std::optional<int64_t> unix_ms;
  if (node.IsScalar()) unix_ms = parse_rfc3339_ms(node.Scalar());
  if (!unix_ms) {
    return problem(node, name_of(property) +
                             " must be an RFC 3339 timestamp such as "
                             "2026-11-22T10:00:00Z or "
                             "2026-11-22T12:00:00.250+02:00, got " +
                             describe_node(node));
  }
  return Timestamp{node.Scalar(), *unix_ms};
}

Result read_template(const YAML::Node& node, const Property& property) {
  std::string text;
  if (node.IsScalar()) {
    text = node.Scalar();
  } else if (node.IsMap()) {
    auto json = yaml_to_json(node);
    if (!json) return std::unexpected(Problems{json.error()});
    text = json->dump();
  } else {
    return problem(
        node, name_of(property) + " must be a string or a mapping, got " + describe_node(node));
  }
  auto compiled = transform::compile_template(text);
  if (!compiled) {
    std::string message = compiled.error().message;
    // A position in the JSON made from a mapping would not help: the node is the position.
    size_t position = message.rfind(" (at line ");
    if (node.IsMap() && position != std::string::npos) message.erase(position);
    return problem(node, name_of(property) + " is not a valid input template: " + message);
  }
  return text;
}

// The YAML node that a pattern error is about: the pattern's JSON was converted from `pattern`
// key for key, so the error's steps lead to it. Stops at the deepest node that has a position.
YAML::Mark mark_of(const YAML::Node& pattern, const filter::PatternError& error) {
  YAML::Node current;
  current.reset(pattern);
  YAML::Mark mark = pattern.Mark();
  for (size_t i = 0; i < error.location.size(); ++i) {
    const filter::PatternStep& step = error.location[i];
    bool last = i + 1 == error.location.size();
    std::optional<YAML::Node> next;
    if (step.index >= 0 && current.IsSequence()) {
      int index = 0;
      for (const YAML::Node& item : current) {
        if (index++ != step.index) continue;
        next.emplace(item);  // emplace: assigning a Node would overwrite the document
        break;
      }
    } else if (step.index < 0 && current.IsMap()) {
      for (const auto& entry : current) {
        if (!entry.first.IsScalar() || entry.first.Scalar() != step.key) continue;
        if (last && error.at_key) return entry.first.Mark();
        next.emplace(entry.second);
        if (next->Mark().line < 0) mark = entry.first.Mark();  // `key:` with nothing after it
        break;
      }
    }
    if (!next) break;
    current.reset(*next);
    if (current.Mark().line >= 0) mark = current.Mark();
  }
  return mark;
}

// Every pattern is compiled, and every invalid one reported at its own position.
Result read_patterns(const YAML::Node& node, const Property& property) {
  std::string shape = " must be a list of event patterns" + for_example(property);
  if (!node.IsSequence())
    return problem(node, name_of(property) + shape + "; got " + describe_node(node));
  std::vector<std::string> patterns;
  Problems problems;
  for (const YAML::Node& item : node) {
    if (!item.IsMap()) {
      YAML::Node shown = item.IsNull() ? node : item;
      problems.push_back({shown.Mark(), "each pattern in " + name_of(property) +
                                            " must be a mapping such as { data: { status: [paid] "
                                            "} }, got " +
                                            describe_node(item)});
      continue;
    }
    auto json = yaml_to_json(item);
    if (!json) {
      problems.push_back(json.error());
      continue;
    }
    std::string text = json->dump();
    auto compiled = filter::parse_pattern(text);
    if (!compiled) {
      problems.push_back(
          {mark_of(item, compiled.error()),
           "invalid event pattern in " + name_of(property) + ": " + compiled.error().text()});
      continue;
    }
    patterns.push_back(std::move(text));
  }
  if (!problems.empty()) return std::unexpected(std::move(problems));
  return patterns;
}

Result read_typed(const YAML::Node& node, const Property& property,
                  const std::filesystem::path& base_dir) {
  switch (property.type) {
    case ValueType::string:
      return read_string(node, property);
    case ValueType::integer:
      return read_integer(node, property);
    case ValueType::boolean:
      return read_boolean(node, property);
    case ValueType::duration:
      return read_duration(node, property);
    case ValueType::size:
      return read_size(node, property);
    case ValueType::enumeration:
      return read_enumeration(node, property);
    case ValueType::string_list:
    case ValueType::comma_list:
      return read_string_list(node, property);
    case ValueType::string_map:
      return read_string_map(node, property);
    case ValueType::path:
      return read_path(node, property, base_dir);
    case ValueType::rfc3339:
      return read_timestamp(node, property);
    case ValueType::template_value:
      return read_template(node, property);
    case ValueType::pattern_list:
      return read_patterns(node, property);
    case ValueType::section:
      break;
  }
  return problem(node, name_of(property) + " is a section, not a value");
}

}  // namespace

std::string describe_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "nothing";
}

std::expected<Value, Problems> read_value(const YAML::Node& node, const Property& property,
                                          const std::filesystem::path& base_dir) {
  Result value = read_typed(node, property, base_dir);
  if (value && property.check) {
    std::string message = property.check(*value);
    if (!message.empty()) return problem(node, std::move(message));
  }
  return value;
}

}  // namespace shardpipe::config

#include "config/pipe_reader.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "config/closest_match.hpp"
#include "config/properties.hpp"
#include "config/yaml_value.hpp"

namespace shardpipe::config {
namespace {

struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

// The component type that decides which keys apply (source type kafka, target type file, ...).
struct ChosenType {
  std::optional<std::string> name;  // nullopt: no types, or the written type is invalid
  bool written = false;
  YAML::Mark mark;  // of the written value, or of the section
};

std::string in_quotes(std::string_view text) {
  return "'" + std::string(text) + "'";
}

// "in source", "at the top level"
std::string location_of(const Component& component) {
  return component.name.empty() ? "at the top level" : "in " + std::string(component.name);
}

std::string dotted_key(const Component& component, std::string_view key) {
  return component.name.empty() ? std::string(key)
                                : std::string(component.name) + "." + std::string(key);
}

// How a key that is not in the component's table is reported: a near key of the component, the
// component the key belongs to, or the keys that would be accepted here.
std::string unknown_key_message(const Component& component, std::string_view key,
                                const ChosenType& type) {
  std::string message = "unknown key " + in_quotes(key) + " " + location_of(component);
  std::vector<std::string_view> applicable;
  std::vector<std::string_view> all;
  for (const Property& property : component.properties) {
    all.push_back(property.key);
    if (!type.name || applies_to_type(property, *type.name)) applicable.push_back(property.key);
  }
  std::optional<std::string_view> near = closest_match(key, applicable);
  if (!near) near = closest_match(key, all);
  if (near) return message + "; did you mean " + in_quotes(*near) + "?";

  if (!component.name.empty() && top_level_component().find(key)) {
    return message + "; it belongs at the top level";
  }
  std::vector<std::string_view> owners;
  for (const Component& other : components()) {
    if (&other != &component && !other.name.empty() && other.find(key)) {
      owners.push_back(other.name);
    }
  }
  if (!owners.empty()) return message + "; it belongs in " + join_alternatives(owners, " or ");

  std::string known =
      type.name ? "keys for " + std::string(component.name) + " type " + *type.name : "known keys";
  return message + "; remove it (" + known + ": " + join_alternatives(applicable, ", ") + ")";
}

std::string applies_to_message(const Component& component, const Property& property,
                               const ChosenType& type) {
  std::string types = property.applies_to.size() == 1 ? " type " : " types ";
  std::string message = in_quotes(property.key) + " applies to " + std::string(component.name) +
                        types + join_alternatives(property.applies_to, " and ") + ", not " +
                        *type.name;
  // The usual cause: the type was left out, so the default applies.
  if (!type.written)
    message += " (the default type; set type: " + std::string(property.applies_to.front()) + ")";
  return message;
}

class ComponentReader {
 public:
  ComponentReader(PipeConfig& config, SeenKeys& seen, Diagnostics& diagnostics)
      : config_(config), seen_(seen), diagnostics_(diagnostics) {}

  // `where` points at the section's key (or the document's start), for keys that are missing.
  void read(const Component& component, const YAML::Node& mapping, const YAML::Mark& where) {
    std::vector<Entry> entries = entries_of(component, mapping);
    ChosenType type = choose_type(component, entries, where);
    for (const Entry& entry : entries) read_entry(component, entry, type);
    report_missing(component, type, where);
  }

 private:
  std::vector<Entry> entries_of(const Component& component, const YAML::Node& mapping) {
    std::vector<Entry> entries;
    for (const auto& item : mapping) {
      if (!item.first.IsScalar()) {
        diagnostics_.error(item.first.Mark(), "keys " + location_of(component) +
                                                  " must be plain names, got " +
                                                  describe_node(item.first));
        continue;
      }
      const std::string& key = item.first.Scalar();
      auto earlier = std::ranges::find(entries, key, &Entry::key);
      if (earlier != entries.end()) {
        diagnostics_.error(item.first.Mark(),
                           "duplicate key " + in_quotes(key) + " " + location_of(component) +
                               "; it is already set on line " +
                               std::to_string(earlier->key_node.Mark().line + 1) +
                               ", remove one of them");
        continue;
      }
      entries.push_back({key, item.first, item.second});
    }
    return entries;
  }

  ChosenType choose_type(const Component& component, const std::vector<Entry>& entries,
                         const YAML::Mark& where) {
    const Property* type_property = component.type_property();
    if (!type_property) return {};
    auto written = std::ranges::find(entries, "type", &Entry::key);
    if (written == entries.end() || written->value.IsNull()) {
      return {std::string(type_property->default_text), false, where};
    }
    // Errors in the type itself are reported with the other keys.
    auto value = read_value(written->value, *type_property, config_.base_dir);
    if (!value) return {std::nullopt, true, written->value.Mark()};
    return {std::get<std::string>(*value), true, written->value.Mark()};
  }

  void read_entry(const Component& component, const Entry& entry, const ChosenType& type) {
    const Property* property = component.find(entry.key);
    if (!property) {
      diagnostics_.error(entry.key_node.Mark(), unknown_key_message(component, entry.key, type));
      return;
    }
    bool has_value = !entry.value.IsNull();
    SeenKey& seen = seen_.add(dotted_key(component, entry.key), entry.key_node.Mark(),
                              entry.value.Mark(), has_value);
    if (!has_value) return;  // `key:` or `key: null` keeps the default
    if (type.name && !applies_to_type(*property, *type.name)) {
      diagnostics_.error(entry.key_node.Mark(), applies_to_message(component, *property, type));
      return;
    }
    if (property->type == ValueType::section) {
      seen.stored = read_section(*property, entry);
      return;
    }
    auto value = read_value(entry.value, *property, config_.base_dir);
    if (!value) {
      for (Problem& problem : value.error()) diagnostics_.error(std::move(problem));
      return;
    }
    property->store(config_, *value);
    seen.stored = true;
  }

  bool read_section(const Property& property, const Entry& entry) {
    const Component* section = find_component(property.key);
    if (!entry.value.IsMap()) {
      diagnostics_.error(entry.value.Mark(),
                         std::string(property.key) + " must be a mapping of keys, e.g. " +
                             std::string(property.key) + ": " + std::string(property.example) +
                             "; got " + describe_node(entry.value));
      return false;
    }
    if (property.key == "dead_letter") config_.dead_letter.emplace();
    read(*section, entry.value, entry.key_node.Mark());
    return true;
  }

  void report_missing(const Component& component, const ChosenType& type, const YAML::Mark& where) {
    for (const Property& property : component.properties) {
      if (!property.required) continue;
      bool for_this_type =
          property.applies_to.empty() || (type.name && applies_to_type(property, *type.name));
      if (!for_this_type) continue;
      const SeenKey* seen = seen_.find(dotted_key(component, property.key));
      if (seen && seen->has_value) continue;

      std::string what = property.type == ValueType::section ? "section " : "key ";
      std::string message = "missing required " + what + in_quotes(property.key);
      YAML::Mark mark = where;
      if (!property.applies_to.empty()) {
        message += " for " + std::string(component.name) + " type " + *type.name;
        if (!type.written) message += " (the default type)";
        mark = type.mark;
      } else if (!component.name.empty()) {
        message += " in " + std::string(component.name);
      }
      if (seen) mark = seen->key;  // written without a value: point at it
      message += ", e.g. " + std::string(property.key) + ": " + std::string(property.example);
      diagnostics_.error(mark, message);
    }
  }

  PipeConfig& config_;
  SeenKeys& seen_;
  Diagnostics& diagnostics_;
};

}  // namespace

void read_pipe(const YAML::Node& root, PipeConfig& config, SeenKeys& seen,
               Diagnostics& diagnostics) {
  ComponentReader(config, seen, diagnostics).read(top_level_component(), root, root.Mark());
}

}  // namespace shardpipe::config

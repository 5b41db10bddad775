// The property tables are consistent, and every documented example loads.
#include "config/properties.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <utility>
#include <vector>

#include "config/loader.hpp"
#include "test_support.hpp"

namespace shardpipe::config {
namespace {

using test_support::formatted;

TEST(PropertyTables, KeysAreUniqueWithinAComponent) {
  for (const Component& component : components()) {
    std::set<std::string_view> keys;
    for (const Property& property : component.properties) {
      EXPECT_TRUE(keys.insert(property.key).second)
          << component.display_name() << " lists '" << property.key << "' twice";
    }
  }
}

TEST(PropertyTables, EveryTopLevelSectionHasATable) {
  for (const Property& property : top_level_component().properties) {
    if (property.type == ValueType::section) {
      EXPECT_NE(find_component(property.key), nullptr) << property.key;
    }
  }
  for (const Component& component : components()) {
    if (component.name.empty()) continue;
    const Property* entry = top_level_component().find(component.name);
    ASSERT_NE(entry, nullptr) << component.name;
    EXPECT_EQ(entry->type, ValueType::section);
  }
}

TEST(PropertyTables, EntriesAreComplete) {
  for (const Component& component : components()) {
    const Property* type = component.type_property();
    for (const Property& property : component.properties) {
      SCOPED_TRACE(component.display_name() + "." + std::string(property.key));
      EXPECT_FALSE(property.description.empty());
      EXPECT_FALSE(property.example.empty());
      EXPECT_EQ(property.store == nullptr, property.type == ValueType::section);
      EXPECT_EQ(property.allowed.empty(), property.type != ValueType::enumeration);
      EXPECT_EQ(property.check == nullptr, property.rule.empty());
      // A value is required or has a default to show.
      if (property.type != ValueType::section) {
        EXPECT_NE(property.required, !property.default_text.empty());
      }
      for (std::string_view applies_to : property.applies_to) {
        ASSERT_NE(type, nullptr) << "only components with types can restrict keys to types";
        EXPECT_THAT(type->allowed, ::testing::Contains(applies_to));
      }
    }
  }
}

// A pipe file built from one component's key and its example, plus what the rest needs.
class ExampleFile {
 public:
  ExampleFile() {
    set("", "name", "orders");
    set("source", "path", "./log");
    set("target", "type", "stdout");
  }

  void set(std::string_view component, std::string_view key, std::string_view value) {
    auto& keys = sections_[std::string(component)];
    auto found = std::ranges::find(keys, key, &std::pair<std::string, std::string>::first);
    if (found != keys.end()) {
      found->second = value;
    } else {
      keys.emplace_back(key, value);
    }
  }

  void clear(std::string_view component) { sections_[std::string(component)].clear(); }

  std::string yaml() const {
    std::string text;
    for (const auto& [key, value] : sections_.at("")) text += key + ": " + value + "\n";
    for (const auto& [component, keys] : sections_) {
      if (component.empty() || keys.empty()) continue;
      if (top_level_keys().contains(component)) continue;
      text += component + ":\n";
      for (const auto& [key, value] : keys) text += "  " + key + ": " + value + "\n";
    }
    return text;
  }

 private:
  std::set<std::string> top_level_keys() const {
    std::set<std::string> keys;
    for (const auto& [key, value] : sections_.at("")) keys.insert(key);
    return keys;
  }

  std::map<std::string, std::vector<std::pair<std::string, std::string>>> sections_;
};

// Sets a component's type to one the property applies to, with the keys that type requires.
void prepare_type(ExampleFile& file, const Component& component, const Property& property) {
  const Property* type_property = component.type_property();
  if (!type_property) return;
  std::string_view type =
      property.applies_to.empty() ? type_property->default_text : property.applies_to.front();
  if (property.key == "type") type = property.example;
  file.clear(component.name);
  file.set(component.name, "type", type);
  for (const Property& other : component.properties) {
    if (other.required && !other.applies_to.empty() && applies_to_type(other, type)) {
      file.set(component.name, other.key, other.example);
    }
  }
}

TEST(PropertyTables, EveryExampleLoads) {
  for (const Component& component : components()) {
    for (const Property& property : component.properties) {
      ExampleFile file;
      prepare_type(file, component, property);
      file.set(component.name, property.key, property.example);
      // The one key that only makes sense together with another.
      if (property.key == "starting_position_timestamp") {
        file.set("source", "starting_position", "AT_TIMESTAMP");
      }
      // An encoding that can fail needs somewhere for undecodable records to go.
      if (property.key == "data_encoding") {
        file.set("source", "on_decode_error", "fail");
      }
      // Retry limits need somewhere for records out of attempts to go.
      if (component.name == "retry" || property.key == "retry") {
        file.set("dead_letter", "type", "file");
        file.set("dead_letter", "path", "./dlq");
      }
      std::string yaml = file.yaml();
      LoadResult result = load_pipe_text(yaml, "/srv/pipes/example.yaml");
      EXPECT_THAT(formatted(result), ::testing::IsEmpty())
          << component.display_name() << "." << property.key << " in:\n"
          << yaml;
    }
  }
}

TEST(PropertyTables, LimitsReadAsTheContractWritesThem) {
  const Component* retry = find_component("retry");
  ASSERT_NE(retry, nullptr);
  EXPECT_EQ(limits_text(*retry->find("maximum_record_age")), "-1 or 60s..7d");
  EXPECT_EQ(limits_text(*retry->find("maximum_retry_attempts")), "-1 or 0..10000");
  const Component* source = find_component("source");
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(limits_text(*source->find("batch_size")), "1..10000");
  EXPECT_EQ(limits_text(*source->find("maximum_batching_window")), "0s..300s");
  EXPECT_EQ(limits_text(*source->find("starting_position")), "TRIM_HORIZON, LATEST, AT_TIMESTAMP");
}

}  // namespace
}  // namespace shardpipe::config

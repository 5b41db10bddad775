// Builders for Property::store, so that a table entry names the field it fills:
//   .store = member(&SourceConfig::batch_size)
//   .allowed = names_of(kStartingPositions), .store = enum_member(&SourceConfig::starting_position,
//                                                                 kStartingPositions)
// Only the property tables include this header.
#pragma once

#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "config/properties.hpp"

namespace shardpipe::config {

template <typename Enum>
struct Choice {
  std::string_view name;  // as written in the pipe file
  Enum value;
};

template <typename Enum, size_t N>
std::vector<std::string_view> names_of(const Choice<Enum> (&choices)[N]) {
  std::vector<std::string_view> names;
  for (const Choice<Enum>& choice : choices) names.push_back(choice.name);
  return names;
}

// The struct inside PipeConfig that holds a component's fields.
template <typename Section>
Section& section_of(PipeConfig& pipe);
template <>
inline PipeConfig& section_of<PipeConfig>(PipeConfig& pipe) {
  return pipe;
}
template <>
inline SourceConfig& section_of<SourceConfig>(PipeConfig& pipe) {
  return pipe.source;
}
template <>
inline TargetConfig& section_of<TargetConfig>(PipeConfig& pipe) {
  return pipe.target;
}
// Like the dead-letter section, created when the file has one.
template <>
inline EnrichmentConfig& section_of<EnrichmentConfig>(PipeConfig& pipe) {
  if (!pipe.enrichment) pipe.enrichment.emplace();
  return *pipe.enrichment;
}
template <>
inline RetryConfig& section_of<RetryConfig>(PipeConfig& pipe) {
  return pipe.retry;
}
// The loader creates the dead-letter section when the file has one, before storing into it.
template <>
inline DeadLetterConfig& section_of<DeadLetterConfig>(PipeConfig& pipe) {
  if (!pipe.dead_letter) pipe.dead_letter.emplace();
  return *pipe.dead_letter;
}
template <>
inline CheckpointConfig& section_of<CheckpointConfig>(PipeConfig& pipe) {
  return pipe.checkpoint;
}
template <>
inline MetricsConfig& section_of<MetricsConfig>(PipeConfig& pipe) {
  return pipe.metrics;
}

// Converts a parsed value to the field's type. The table guarantees the matching alternative
// and that integers are within the field's range (bounds).
template <typename Field>
void assign(Field& field, const Value& value) {
  field = std::get<Field>(value);
}
inline void assign(int& field, const Value& value) {
  field = static_cast<int>(std::get<int64_t>(value));
}
// -1 in the file means "no limit", which the struct spells nullopt.
inline void assign(std::optional<std::chrono::milliseconds>& field, const Value& value) {
  auto duration = std::get<std::chrono::milliseconds>(value);
  field = duration.count() < 0 ? std::nullopt : std::optional(duration);
}
inline void assign(std::optional<std::string>& field, const Value& value) {
  field = std::get<std::string>(value);
}

template <typename Section, typename Field>
Store member(Field Section::*field) {
  return [field](PipeConfig& pipe, const Value& value) {
    assign(section_of<Section>(pipe).*field, value);
  };
}

template <typename Section, typename Enum, size_t N>
Store enum_member(Enum Section::*field, const Choice<Enum> (&choices)[N]) {
  std::vector<Choice<Enum>> table(std::begin(choices), std::end(choices));
  return [field, table](PipeConfig& pipe, const Value& value) {
    const auto& name = std::get<std::string>(value);
    for (const Choice<Enum>& choice : table) {
      if (choice.name == name) section_of<Section>(pipe).*field = choice.value;
    }
  };
}

}  // namespace shardpipe::config

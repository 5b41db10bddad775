// Splits a template into literals and placeholders, and checks that a JSON template stays valid
// JSON whatever its placeholders are filled with.
#include <simdjson.h>

#include <nlohmann/json.hpp>

#include "transform/compiled_template.hpp"
#include "transform/input_template.hpp"

namespace shardpipe::transform {
namespace {

using detail::CompiledTemplate;
using detail::JsonPath;
using detail::TemplatePart;

constexpr std::string_view kWholeEvent[] = {"aws.pipes.event", "aws.pipes.event.json"};

// "line 2, column 7" of a position in a (possibly multi-line) template.
std::string line_and_column(std::string_view text, size_t position) {
  position = std::min(position, text.size());
  size_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < position; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(position - line_start + 1);
}

Error template_error(std::string_view text, size_t position, const std::string& message) {
  return Error::permanent(message + " (at " + line_and_column(text, position) +
                          " of the template)");
}

// The path of a placeholder's body: "$.a.b", "$", or a name for the whole record.
Result<JsonPath> placeholder_path(std::string_view body) {
  for (std::string_view name : kWholeEvent) {
    if (body == name) return JsonPath();
  }
  if (body.starts_with("aws.")) {
    return fail(Error::permanent(
        "<" + std::string(body) +
        "> is not supported; of the reserved variables only <aws.pipes.event> and "
        "<aws.pipes.event.json> (the whole record) are, and <$.path> for its parts"));
  }
  auto path = JsonPath::parse(body);
  if (!path) return fail(Error::permanent("<" + std::string(body) + "> " + path.error()));
  return std::move(*path);
}

// Where a piece of the JSON probe (see check_json) came from in the template.
struct Substitution {
  size_t probe_begin;
  size_t probe_end;
  size_t template_begin;
  size_t template_end;
};

// Where a position of the probe is in the template; `in_placeholder` tells whether it falls on a
// placeholder's stand-in.
size_t template_position(const std::vector<Substitution>& substitutions, size_t probe_position,
                         bool& in_placeholder) {
  size_t shift_from_probe = 0;
  size_t shift_to_template = 0;
  in_placeholder = false;
  for (const Substitution& substitution : substitutions) {
    if (substitution.probe_begin > probe_position) break;
    if (probe_position < substitution.probe_end) {
      in_placeholder = true;
      return substitution.template_begin;
    }
    shift_from_probe = substitution.probe_end;
    shift_to_template = substitution.template_end;
  }
  return shift_to_template + (probe_position - shift_from_probe);
}

// Fills every value placeholder with null and every text placeholder with a space, and parses
// the result: if that is not JSON, no record can make it JSON.
Status check_json(std::string_view text, const CompiledTemplate& compiled,
                  const std::vector<size_t>& placeholder_ends) {
  std::string probe;
  std::vector<Substitution> substitutions;
  size_t template_offset = 0;
  size_t placeholder = 0;
  for (const TemplatePart& part : compiled.parts) {
    if (part.kind == TemplatePart::Kind::literal) {
      probe += part.literal;
      template_offset += part.literal.size();
      continue;
    }
    size_t template_end = placeholder_ends[placeholder++];
    Substitution substitution{probe.size(), 0, template_offset, template_end};
    if (part.kind == TemplatePart::Kind::json_value) probe += "null";
    // Text goes inside a string, after whatever the template wrote there: a space stands for it,
    // so that a placeholder just after a backslash, or among the hex digits of an escape, is not
    // valid JSON (whatever it inserts, most records would make the output invalid).
    if (part.kind == TemplatePart::Kind::string_text) probe += ' ';
    substitution.probe_end = probe.size();
    substitutions.push_back(substitution);
    template_offset = template_end;
  }
  // nlohmann's parser stops at a NUL byte as if the input ended there; valid JSON holds none
  // (in strings it is written \u0000), so everything after it would go unchecked.
  if (size_t nul = probe.find('\0'); nul != std::string::npos) {
    bool in_placeholder = false;
    size_t position = template_position(substitutions, nul, in_placeholder);
    return fail(
        template_error(text, position,
                       "the template starts like JSON but is not valid JSON: it holds a NUL byte"));
  }
  try {
    nlohmann::json parsed = nlohmann::json::parse(probe);
    (void)parsed;
  } catch (const nlohmann::json::parse_error& error) {
    size_t probe_position = error.byte > 0 ? error.byte - 1 : 0;
    std::string reason = error.what();
    if (size_t colon = reason.find("syntax error"); colon != std::string::npos) {
      reason = reason.substr(colon);
    }
    bool in_placeholder = false;
    size_t position = template_position(substitutions, probe_position, in_placeholder);
    // The parser saw the null that stands in for the placeholder; name what the user wrote.
    constexpr std::string_view kStandIn = "unexpected null literal";
    if (size_t at = reason.find(kStandIn); in_placeholder && at != std::string::npos) {
      reason.replace(at, kStandIn.size(), "unexpected placeholder");
    }
    return fail(template_error(text, position,
                               "the template starts like JSON but is not valid JSON: " + reason));
  } catch (const nlohmann::json::out_of_range& error) {
    // A number too large for a double, such as 1e999: no record could make the output readable.
    std::string reason = error.what();
    if (size_t bracket = reason.find("] "); bracket != std::string::npos) {
      reason.erase(0, bracket + 2);
    }
    return fail(Error::permanent("the template starts like JSON but is not valid JSON: " + reason));
  }
  // apply() checks every output as simdjson reads it, which is stricter than nlohmann (integers
  // beyond 64 bits, nesting deeper than 1024): such a template would fail for every record.
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(simdjson::padded_string(probe)).get(root)) {
    return fail(Error::permanent("the template starts like JSON but is not valid JSON: " +
                                 std::string(simdjson::error_message(error))));
  }
  return {};
}

}  // namespace

Result<InputTemplate> compile_template(std::string_view text) {
  if (text.size() > kMaxTemplateChars) {
    return fail(Error::permanent("the template is " + std::to_string(text.size()) +
                                 " characters long; EventBridge allows at most " +
                                 std::to_string(kMaxTemplateChars)));
  }
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return fail(
        Error::permanent("the template is empty; remove transform to deliver the "
                         "envelope unchanged"));
  }
  auto compiled = std::make_shared<CompiledTemplate>();
  compiled->json = text[first] == '{' || text[first] == '[';

  std::vector<size_t> placeholder_ends;  // in the template, for positions in error messages
  std::string literal;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (compiled->json && in_string && c == '\\' && i + 1 < text.size()) {
      literal += text.substr(i, 2);
      ++i;
      continue;
    }
    if (compiled->json && c == '"') in_string = !in_string;
    bool placeholder =
        c == '<' && (text.substr(i + 1).starts_with('$') || text.substr(i + 1).starts_with("aws."));
    if (!placeholder) {
      literal += c;
      continue;
    }
    size_t close = text.find('>', i);
    if (close == std::string_view::npos) {
      return fail(template_error(text, i, "a placeholder is not closed with '>'"));
    }
    auto path = placeholder_path(text.substr(i + 1, close - i - 1));
    if (!path) return fail(template_error(text, i, path.error().message));
    TemplatePart part;
    part.path = std::move(*path);
    if (!compiled->json) {
      part.kind = TemplatePart::Kind::plain_text;
    } else if (in_string) {
      part.kind = TemplatePart::Kind::string_text;
    } else {
      part.kind = TemplatePart::Kind::json_value;
      size_t next = text.find_first_not_of(" \t\r\n", close + 1);
      if (next != std::string_view::npos && text[next] == ':') {
        return fail(template_error(text, i,
                                   "a placeholder cannot be an object key; write a fixed key, "
                                   "such as {\"id\": <$.eventID>}"));
      }
    }
    if (!literal.empty()) {
      compiled->parts.push_back({TemplatePart::Kind::literal, std::move(literal), {}});
      literal.clear();
    }
    compiled->parts.push_back(std::move(part));
    placeholder_ends.push_back(close + 1);
    i = close;
  }
  if (!literal.empty()) {
    compiled->parts.push_back({TemplatePart::Kind::literal, std::move(literal), {}});
  }
  if (compiled->json) {
    if (auto valid = check_json(text, *compiled, placeholder_ends); !valid) {
      return fail(std::move(valid.error()));
    }
  }
  return InputTemplate(std::move(compiled));
}

}  // namespace shardpipe::transform

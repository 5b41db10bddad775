// A guard against a hang in yaml-cpp 0.7: where a document may start, a token that cannot start a
// node (a ',' outside [ ] and { }, as in ", a" or "[a]" followed by a line ",") is left unread, and
// the library then reads empty documents at that same place forever, allocating as it goes. Such
// text is invalid YAML; the guard finds it before the text is loaded.
#pragma once

#include <optional>
#include <string_view>

#include "config/diagnostics.hpp"

namespace shardpipe::config {

// The token on which yaml-cpp would never return, with what to change, if there is one. Other
// syntax errors are left to the loader, which reports them with its own wording.
std::optional<Problem> find_unreadable_document_start(std::string_view yaml);

}  // namespace shardpipe::config

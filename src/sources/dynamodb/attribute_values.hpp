// DynamoDB's typed attribute values ({"N": "12"}, {"M": {...}}, ...) as plain JSON, so that
// filters and targets can use an item's fields by name.
//
// S → string; N → a JSON number with exactly DynamoDB's digits (never through a double), or a
// string where the number is an integer beyond 64 bits, which most JSON readers cannot hold;
// B → its base64 string; BOOL → true/false; NULL → null; M → object; L → array; SS, NS, BS →
// arrays of the same.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace shardpipe::dynamodb {

// Appends the item (an object of attribute names to typed values) as a plain JSON object.
// Fails on a value of an unknown type, naming the attribute.
Status append_plain_item(std::string& out, simdjson::dom::element item);

// True when DynamoDB's number text can be written as a JSON number that reads back exactly.
bool is_portable_json_number(std::string_view number);

}  // namespace shardpipe::dynamodb

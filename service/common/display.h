#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cv {

// Makes untrusted bytes safe to show and to put into a protobuf string: printable ASCII and
// well-formed UTF-8 stay as they are; control bytes (including CR, LF, TAB, DEL) and bytes
// that are not well-formed UTF-8 become "\xNN" (lower-case hex); C1 controls, the line and
// paragraph separators and the bidirectional overrides (U+202A-U+202E, U+2066-U+2069), which
// could make displayed evidence lie, become "\uXXXX" (lower-case hex). A backslash in the input
// stays as it is, so the escaping is for reading, not reversible.
std::string SanitizeForDisplay(std::string_view text);

// The display form (as SanitizeForDisplay) of the one character of `in` at `*pos`, written to
// `unit`; advances `*pos`. Works on whole characters, so a caller that must cut text to a byte
// limit can cut between them and never split a UTF-8 sequence or an escape.
void NextDisplayUnit(std::string_view in, size_t* pos, std::string* unit);

}  // namespace cv

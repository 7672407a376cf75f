// pattern: a user's regular expression (a permission's configure / write / read, a list's
// `name` filter with use_regex) compiled by server::Pattern (server/pattern, over RE2) and
// searched in a subject, case-sensitively and not. The first byte picks the case rule; the rest
// is the pattern, a NUL byte, then the subject (no NUL: the whole rest is the pattern and the
// subject is a fixed queue name).
//
// Invariants besides "no crash, leak or UB": compiling never throws, a pattern over 4 KiB is
// refused, a compiled pattern keeps its text, and a pattern of letters and digits alone is found
// exactly where std::string_view::find finds it (ignoring case when asked, then only in an ASCII
// subject: RE2 folds Unicode case, so "k" also matches the Kelvin sign). libFuzzer's
// -timeout catches a search that is not linear.

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/support/check.hpp"
#include "server/pattern.hpp"

namespace {

std::string lowered(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool is_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x80; });
}

bool is_plain(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](unsigned char c) { return std::isalnum(c) != 0; });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const bool case_insensitive = (data[0] & 1) != 0;
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string_view text = rest;
    std::string_view subject = "amq.gen-JzTY20BRgKO-HjmUJj0wLg";
    if (const auto nul = rest.find('\0'); nul != std::string_view::npos) {
        text = rest.substr(0, nul);
        subject = rest.substr(nul + 1);
    }
    auto pattern = warren::server::Pattern::compile(text, case_insensitive);
    if (!pattern) {
        FUZZ_CHECK(!pattern.error().reason.empty(), "a refusal without a reason");
        return 0;
    }
    FUZZ_CHECK(text.size() <= warren::server::Pattern::kMaxPatternBytes,
               "a pattern over the length limit compiled");
    FUZZ_CHECK(pattern->text() == text, "the compiled pattern's text changed");
    const bool found = pattern->search(subject);
    if (is_plain(text) && (!case_insensitive || is_ascii(subject))) {
        const bool expected = case_insensitive
                                  ? lowered(subject).find(lowered(text)) != std::string::npos
                                  : subject.find(text) != std::string_view::npos;
        FUZZ_CHECK(found == expected, "a plain pattern matched differently from find()");
    }
    return 0;
}

#pragma once

// Pattern: a regular expression a user supplied (a permission's configure / write / read, a
// list's name filter), with bounded cost, so that no pattern can stop or crash the core thread:
// RE2 matches in time linear in the subject and never backtracks (`^(a|aa)+$` costs what `a+`
// costs), its parser refuses nesting deeper than 1000 (no recursion to overflow the stack), its
// compiled program is held to kMaxProgramBytes, and a pattern longer than kMaxPatternBytes is
// refused before parsing. Matching is unanchored (found anywhere), as RabbitMQ's permission
// checks and list filters are.
//
// The syntax is RE2's, which is Perl's and PCRE's without backreferences and lookaround: a
// pattern using those is refused with RE2's reason.
//
// Immutable once compiled; copies share the compiled program. Thread-safe for matching.

#include <memory>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace re2 {
class RE2;
}

namespace warren::server {

class Pattern {
public:
    static constexpr std::size_t kMaxPatternBytes = 4096;
    static constexpr std::int64_t kMaxProgramBytes = 1 << 20;

    // Errors: bad_request with RE2's reason (or the length limit), without any prefix.
    static Result<Pattern> compile(std::string_view text, bool case_insensitive = false);

    bool search(std::string_view subject) const;
    const std::string& text() const;

private:
    explicit Pattern(std::shared_ptr<const re2::RE2> re) : re_(std::move(re)) {}
    std::shared_ptr<const re2::RE2> re_;
};

} // namespace warren::server

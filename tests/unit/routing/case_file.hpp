#pragma once

// Reading the table-driven cases in tests/unit/routing/cases/*.txt. Blank lines and lines
// starting with '#' are comments; every other line is one case, reported with its line number so
// that a failure names the line to look at.

#include <cctype>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace warren::routing::test {

struct CaseLine {
    int number;
    std::string text;
};

inline std::vector<CaseLine> read_case_file(std::string_view name) {
    const std::string path = std::string(WARREN_ROUTING_CASES_DIR) + "/" + std::string(name);
    std::ifstream in(path);
    if (!in) {
        throw std::runtime_error("cannot open case file " + path);
    }
    std::vector<CaseLine> lines;
    std::string text;
    for (int number = 1; std::getline(in, text); ++number) {
        const auto first = text.find_first_not_of(" \t\r");
        if (first == std::string::npos || text[first] == '#') {
            continue;
        }
        lines.push_back(CaseLine{number, text});
    }
    return lines;
}

// Splits on blanks. "..." is one token without its quotes (possibly empty); a '{' outside quotes
// starts a JSON token that runs to the end of the text.
inline std::vector<std::string> tokenize(std::string_view text) {
    std::vector<std::string> tokens;
    std::size_t i = 0;
    while (i < text.size()) {
        if (std::isspace(static_cast<unsigned char>(text[i]))) {
            ++i;
        } else if (text[i] == '"') {
            const std::size_t close = text.find('"', i + 1);
            if (close == std::string_view::npos) {
                throw std::runtime_error("unterminated quote in: " + std::string(text));
            }
            tokens.emplace_back(text.substr(i + 1, close - i - 1));
            i = close + 1;
        } else if (text[i] == '{') {
            tokens.emplace_back(text.substr(i));
            break;
        } else {
            std::size_t end = i;
            while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) {
                ++end;
            }
            tokens.emplace_back(text.substr(i, end - i));
            i = end;
        }
    }
    return tokens;
}

} // namespace warren::routing::test

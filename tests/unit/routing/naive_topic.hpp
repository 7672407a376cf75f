#pragma once

// The reference the topic indexes are compared with: RabbitMQ's split rule and the definition of
// '*' and '#' by backtracking (exponential in the worst case; fine for short keys), plus seeded
// random keys.

#include <random>
#include <string>
#include <vector>

namespace warren::routing::test {

using Words = std::vector<std::string>;

inline Words naive_split(const std::string& key) {
    Words words;
    if (key.empty()) {
        return words;
    }
    std::string word;
    for (const char ch : key) {
        if (ch == '.') {
            words.push_back(word);
            word.clear();
        } else {
            word += ch;
        }
    }
    words.push_back(word);
    return words;
}

inline bool naive_match(const Words& p, std::size_t i, const Words& k, std::size_t j) {
    if (i == p.size()) {
        return j == k.size();
    }
    if (p[i] == "#") {
        return naive_match(p, i + 1, k, j) || (j < k.size() && naive_match(p, i, k, j + 1));
    }
    return j < k.size() && (p[i] == "*" || p[i] == k[j]) && naive_match(p, i + 1, k, j + 1);
}

inline bool naive_match(const std::string& pattern, const std::string& key) {
    return naive_match(naive_split(pattern), 0, naive_split(key), 0);
}

// Up to `max_words` words drawn from `alphabet`, joined by '.'.
inline std::string random_key(std::mt19937& rng, const std::vector<std::string>& alphabet,
                              int max_words) {
    const int n = std::uniform_int_distribution<int>(0, max_words)(rng);
    std::string key;
    for (int i = 0; i < n; ++i) {
        if (i != 0) {
            key += '.';
        }
        key += alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)];
    }
    return key;
}

} // namespace warren::routing::test

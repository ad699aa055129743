// wordfreq.cpp - the most frequent words of the input (a command, in C++ with libc++).
//
// A word is a run of ASCII letters, compared without case. Prints the `top` most frequent
// (query parameter, default 10) as "count word" lines, most frequent first, ties in
// alphabetical order. Exit 2 if `top` is not a positive number.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

int main()
{
    long top = 10;
    if (const char *t = std::getenv("top")) {
        char *end;
        top = std::strtol(t, &end, 10);
        if (*t == '\0' || *end != '\0' || top < 1) {
            std::cerr << "wordfreq: top must be a positive number, got '" << t << "'\n";
            return 2;
        }
    }

    std::unordered_map<std::string, long> counts;
    std::string word;
    char c;
    while (std::cin.get(c)) {
        if (std::isalpha(static_cast<unsigned char>(c)) && static_cast<unsigned char>(c) < 128) {
            word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (!word.empty()) {
            ++counts[word];
            word.clear();
        }
    }
    if (!word.empty())
        ++counts[word];

    std::vector<std::pair<std::string, long>> words(counts.begin(), counts.end());
    std::sort(words.begin(), words.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    if (words.size() > static_cast<size_t>(top))
        words.resize(top);
    for (const auto &[w, n] : words)
        std::cout << n << ' ' << w << '\n';
    return 0;
}

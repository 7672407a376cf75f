// HeadersExchange: cases/headers.txt (checked against RabbitMQ 3.10 except the JSON null section,
// which its HTTP API cannot express) and the x-match validation.

#include <map>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "routing/headers_exchange.hpp"
#include "tests/unit/routing/case_file.hpp"

namespace warren::routing {
namespace {

namespace json = boost::json;

struct HeadersCase {
    int line;
    std::string expect; // yes | no | error
    json::object arguments;
    json::object headers;
    std::string text;
};

// Names the case in failure messages instead of dumping its bytes.
void PrintTo(const HeadersCase& c, std::ostream* os) {
    *os << "headers.txt line " << c.line;
}

std::vector<HeadersCase> load_headers_cases() {
    std::vector<HeadersCase> cases;
    for (const test::CaseLine& line : test::read_case_file("headers.txt")) {
        const auto bar1 = line.text.find(" | ");
        const auto bar2 = line.text.find(" | ", bar1 + 3);
        if (bar1 == std::string::npos || bar2 == std::string::npos) {
            throw std::runtime_error("headers.txt line " + std::to_string(line.number) +
                                     ": expected yes|no|error | {arguments} | {headers}|-");
        }
        HeadersCase c{line.number, line.text.substr(0, bar1), {}, {}, line.text};
        c.arguments = json::parse(line.text.substr(bar1 + 3, bar2 - bar1 - 3)).as_object();
        const std::string headers = line.text.substr(bar2 + 3);
        if (headers != "-") {
            c.headers = json::parse(headers).as_object();
        }
        cases.push_back(std::move(c));
    }
    return cases;
}

const std::vector<HeadersCase>& headers_cases() {
    static const std::vector<HeadersCase> cases = load_headers_cases();
    return cases;
}

class HeadersCases : public ::testing::TestWithParam<HeadersCase> {};

TEST_P(HeadersCases, MatchesAsRabbitMQDoes) {
    const HeadersCase& c = GetParam();
    HeadersExchange x;
    const bool bound = x.bind(Destination::queue("q"), "", c.arguments);
    EXPECT_EQ(parse_x_match(c.arguments).has_value(), c.expect != "error")
        << "headers.txt line " << c.line << ": " << c.text;
    EXPECT_EQ(bound, c.expect != "error") << "headers.txt line " << c.line << ": " << c.text;
    std::vector<const Destination*> out;
    x.collect("ignored", c.headers, out);
    EXPECT_EQ(out.size(), c.expect == "yes" ? 1u : 0u)
        << "headers.txt line " << c.line << ": " << c.text;
}

INSTANTIATE_TEST_SUITE_P(File, HeadersCases, ::testing::ValuesIn(headers_cases()),
                         [](const ::testing::TestParamInfo<HeadersCase>& tp) {
                             return "line" + std::to_string(tp.param.line) + "_" + tp.param.expect;
                         });

TEST(HeadersCasesFile, CoversEveryOutcome) {
    std::map<std::string, int> outcomes;
    for (const HeadersCase& c : headers_cases()) {
        ++outcomes[c.expect];
    }
    EXPECT_GE(outcomes["yes"], 20);
    EXPECT_GE(outcomes["no"], 20);
    EXPECT_GE(outcomes["error"], 3);
}

TEST(HeadersExchange, XMatchDefaultsToAll) {
    EXPECT_EQ(parse_x_match({}).value(), HeadersMatch::all);
    EXPECT_EQ(parse_x_match({{"a", 1}}).value(), HeadersMatch::all);
    EXPECT_EQ(parse_x_match({{"x-match", "any"}}).value(), HeadersMatch::any);
    EXPECT_EQ(parse_x_match({{"x-match", "all-with-x"}}).value(), HeadersMatch::all_with_x);
    EXPECT_EQ(parse_x_match({{"x-match", "any-with-x"}}).value(), HeadersMatch::any_with_x);
}

TEST(HeadersExchange, InvalidXMatchIsABadRequestThatNamesTheValue) {
    const auto bad_value = parse_x_match({{"x-match", "some"}});
    ASSERT_FALSE(bad_value);
    EXPECT_EQ(bad_value.error().code, Errc::bad_request);
    EXPECT_NE(bad_value.error().reason.find("some"), std::string::npos);
    const auto bad_type = parse_x_match({{"x-match", json::array{"all"}}});
    ASSERT_FALSE(bad_type);
    EXPECT_EQ(bad_type.error().code, Errc::bad_request);
}

TEST(HeadersExchange, NullBindingValueMatchesOnPresenceOnly) {
    EXPECT_TRUE(headers_match(HeadersMatch::all, {{"a", nullptr}}, {{"a", "x"}}));
    EXPECT_TRUE(headers_match(HeadersMatch::all, {{"a", nullptr}}, {{"a", json::array{}}}));
    EXPECT_FALSE(headers_match(HeadersMatch::all, {{"a", nullptr}}, {{"b", "x"}}));
}

TEST(HeadersExchange, NumbersCompareByValueOnlyAtTheTopLevel) {
    EXPECT_TRUE(header_value_equal(json::value(1), json::value(1.0)));
    EXPECT_TRUE(header_value_equal(json::value(2.0), json::value(2)));
    EXPECT_TRUE(header_value_equal(json::value(std::uint64_t{1} << 63),
                                   json::value(9223372036854775808.0)));
    EXPECT_FALSE(header_value_equal(json::value(1), json::value(1.5)));
    EXPECT_FALSE(header_value_equal(json::value(-1), json::value(18446744073709551615.0)));
    EXPECT_FALSE(header_value_equal(json::value(std::int64_t{9007199254740993}),
                                    json::value(9007199254740992.0)));
    EXPECT_FALSE(header_value_equal(json::value(1), json::value("1")));
    EXPECT_FALSE(header_value_equal(json::value(1), json::value(true)));
    EXPECT_FALSE(header_value_equal(json::array{1}, json::array{1.0}));
}

TEST(HeadersExchange, TheRoutingKeyIsIgnored) {
    HeadersExchange x;
    x.bind(Destination::queue("q"), "some-key", {{"a", 1}});
    std::vector<const Destination*> out;
    x.collect("another-key", {{"a", 1}}, out);
    EXPECT_EQ(out.size(), 1u);
}

TEST(HeadersExchange, CollectsEveryMatchingBinding) {
    HeadersExchange x;
    x.bind(Destination::queue("eu"), "", {{"region", "eu"}});
    x.bind(Destination::queue("eu-or-big"), "",
           {{"x-match", "any"}, {"region", "eu"}, {"big", true}});
    x.bind(Destination::exchange("everything"), "", {});
    x.bind(Destination::queue("us"), "", {{"region", "us"}});
    std::vector<const Destination*> out;
    x.collect("", {{"region", "eu"}, {"big", false}}, out);
    std::vector<std::string> names;
    for (const Destination* d : out) {
        names.push_back(d->name);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"eu", "eu-or-big", "everything"}));
}

TEST(HeadersExchange, BindAndUnbindAreIdempotentAndRefuseAnInvalidXMatch) {
    HeadersExchange x;
    const json::object args{{"x-match", "any"}, {"a", 1}};
    EXPECT_TRUE(x.bind(Destination::queue("q"), "", args));
    EXPECT_FALSE(x.bind(Destination::queue("q"), "", args));
    EXPECT_TRUE(x.bind(Destination::queue("q"), "k", args));
    EXPECT_FALSE(x.bind(Destination::queue("q"), "", {{"x-match", "most"}}));
    EXPECT_TRUE(x.unbind(Destination::queue("q"), "", args));
    EXPECT_FALSE(x.unbind(Destination::queue("q"), "", args));
    EXPECT_FALSE(x.unbind(Destination::queue("q"), "", {{"x-match", "most"}}));
}

TEST(HeadersExchange, ReportsItsType) {
    EXPECT_EQ(HeadersExchange{}.type(), ExchangeType::headers);
}

} // namespace
} // namespace warren::routing

// ws_protocol: client frames parse into ops with the documented defaults, every malformed frame
// gets a bad_request naming what is wrong, and server frames render as DESIGN.md section 4 says.

#include <random>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "common/base64.hpp"
#include "common/json_text.hpp"
#include "common/properties_json.hpp"
#include "server/names.hpp"
#include "web/ws_protocol.hpp"

namespace warren::web::ws {
namespace {

namespace json = boost::json;

const ParseContext kContext{"guest", 1024};

ClientOp parse_ok(std::string_view text) {
    auto r = parse_client_frame(text, kContext);
    EXPECT_TRUE(r.has_value()) << text << " -> " << (r ? "" : r.error().error.reason);
    return r ? *r : ClientOp{PingOp{}};
}

FrameError parse_fail(std::string_view text) {
    auto r = parse_client_frame(text, kContext);
    EXPECT_FALSE(r.has_value()) << text;
    return r ? FrameError{} : r.error();
}

TEST(WsProtocol, SubscribeToAQueueHasDefaults) {
    auto op = std::get<SubscribeOp>(parse_ok(R"({"op":"subscribe","id":"s1","queue":"orders"})"));
    EXPECT_EQ(op.id, "s1");
    EXPECT_EQ(op.vhost, "/");
    EXPECT_EQ(op.queue, "orders");
    EXPECT_FALSE(op.exchange);
    EXPECT_EQ(op.prefetch, kDefaultPrefetch);
    EXPECT_FALSE(op.auto_ack);
    EXPECT_FALSE(op.exclusive);
}

TEST(WsProtocol, SubscribeTakesEveryOption) {
    auto op = std::get<SubscribeOp>(
        parse_ok(R"({"op":"subscribe","id":"s1","vhost":"v","queue":"q","prefetch":0,"ack":"auto",)"
                 R"("exclusive":true,"unknown_key":[1]})"));
    EXPECT_EQ(op.vhost, "v");
    EXPECT_EQ(op.prefetch, 0u);
    EXPECT_TRUE(op.auto_ack);
    EXPECT_TRUE(op.exclusive);
}

TEST(WsProtocol, SubscribeToAnExchange) {
    auto op = std::get<SubscribeOp>(
        parse_ok(R"({"op":"subscribe","id":"s2","exchange":"events","binding_key":"order.*",)"
                 R"("arguments":{"x-match":"any"}})"));
    EXPECT_EQ(op.exchange, "events");
    EXPECT_FALSE(op.queue);
    EXPECT_EQ(op.binding_key, "order.*");
    EXPECT_EQ(op.arguments.at("x-match"), "any");
    auto bare = std::get<SubscribeOp>(parse_ok(R"({"op":"subscribe","id":"s","exchange":"x"})"));
    EXPECT_EQ(bare.binding_key, "");
}

TEST(WsProtocol, UnsubscribeAndSettlements) {
    EXPECT_EQ(std::get<UnsubscribeOp>(parse_ok(R"({"op":"unsubscribe","id":"s1"})")).id, "s1");
    auto ack = std::get<AckOp>(parse_ok(R"({"op":"ack","tag":17})"));
    EXPECT_EQ(ack.tag, 17u);
    EXPECT_FALSE(ack.multiple);
    EXPECT_TRUE(std::get<AckOp>(parse_ok(R"({"op":"ack","tag":3,"multiple":true})")).multiple);
    auto nack = std::get<NackOp>(parse_ok(R"({"op":"nack","tag":17,"id":"n1"})"));
    EXPECT_TRUE(nack.requeue);
    EXPECT_FALSE(nack.multiple);
    EXPECT_EQ(nack.id, "n1");
    auto nack2 =
        std::get<NackOp>(parse_ok(R"({"op":"nack","tag":9,"requeue":false,"multiple":true})"));
    EXPECT_FALSE(nack2.requeue);
    EXPECT_TRUE(nack2.multiple);
    auto reject = std::get<RejectOp>(parse_ok(R"({"op":"reject","tag":5,"requeue":false})"));
    EXPECT_EQ(reject.tag, 5u);
    EXPECT_FALSE(reject.requeue);
    EXPECT_TRUE(std::get<RejectOp>(parse_ok(R"({"op":"reject","tag":5})")).requeue);
    EXPECT_EQ(std::get<AckOp>(parse_ok(R"({"op":"ack","tag":18446744073709551615})")).tag,
              UINT64_MAX);
}

TEST(WsProtocol, PublishDecodesTheMessage) {
    auto op = std::get<PublishOp>(parse_ok(
        R"({"op":"publish","exchange":"events","routing_key":"order.created","payload":"aGk=",)"
        R"("payload_encoding":"base64","properties":{"delivery_mode":2,"headers":{"a":1}},)"
        R"("confirm":42})"));
    EXPECT_EQ(op.vhost, "/");
    EXPECT_EQ(op.exchange, "events");
    ASSERT_TRUE(op.message);
    EXPECT_EQ(op.message->exchange, "events");
    EXPECT_EQ(op.message->routing_key, "order.created");
    EXPECT_EQ(*op.message->body, "hi");
    EXPECT_TRUE(op.message->properties.persistent());
    EXPECT_EQ(op.message->properties.headers.at("a"), 1);
    ASSERT_TRUE(op.confirm);
    EXPECT_EQ(*op.confirm, 42);
}

TEST(WsProtocol, PublishToTheDefaultExchangeUnderEitherName) {
    auto a = std::get<PublishOp>(parse_ok(R"({"op":"publish","exchange":"","payload":"x"})"));
    auto b = std::get<PublishOp>(
        parse_ok(R"({"op":"publish","vhost":"v","exchange":"amq.default","routing_key":"q"})"));
    EXPECT_EQ(a.exchange, "");
    EXPECT_EQ(b.exchange, "");
    EXPECT_EQ(b.vhost, "v");
    EXPECT_EQ(*b.message->body, "");
    EXPECT_FALSE(a.confirm);
    auto c =
        std::get<PublishOp>(parse_ok(R"({"op":"publish","exchange":"","confirm":"c-1","id":"p"})"));
    EXPECT_EQ(*c.confirm, "c-1");
    EXPECT_EQ(c.id, "p");
}

TEST(WsProtocol, Ping) {
    EXPECT_TRUE(std::get<PingOp>(parse_ok(R"({"op":"ping"})")).id.is_null());
    EXPECT_EQ(std::get<PingOp>(parse_ok(R"({"op":"ping","id":7})")).id, 7);
}

struct BadFrame {
    const char* text;
    Errc code;
    const char* reason_part;
};

// Every malformed frame is refused with a reason that says what to fix.
const BadFrame kBadFrames[] = {
    {"", Errc::bad_request, "not valid JSON"},
    {"{", Errc::bad_request, "not valid JSON"},
    {"not json", Errc::bad_request, "not valid JSON"},
    {R"({"op":"ping"} trailing)", Errc::bad_request, "not valid JSON"},
    // Found by fuzz/ws_ops: kept as an infinity, it came back out as `Infinity` (not JSON).
    {R"({"op":"publish","exchange":"","properties":{"headers":{"a":{"b":1e400}}}})",
     Errc::bad_request, "beyond the range of a double"},
    {R"({"op":"publish","exchange":"","confirm":-1.8e308})", Errc::bad_request,
     "beyond the range of a double"},
    {"[]", Errc::bad_request, "JSON object"},
    {"42", Errc::bad_request, "JSON object"},
    {R"("subscribe")", Errc::bad_request, "JSON object"},
    {"null", Errc::bad_request, "JSON object"},
    {"{}", Errc::bad_request, "missing field 'op'"},
    {R"({"op":1})", Errc::bad_request, "'op' must be a string"},
    {R"({"op":null})", Errc::bad_request, "'op' must be a string"},
    {R"({"op":"dance"})", Errc::bad_request, "unknown op 'dance'"},
    {R"({"op":"SUBSCRIBE","id":"s","queue":"q"})", Errc::bad_request, "unknown op 'SUBSCRIBE'"},
    {R"({"op":"subscribe","queue":"q"})", Errc::bad_request, "missing field 'id'"},
    {R"({"op":"subscribe","id":1,"queue":"q"})", Errc::bad_request, "'id' must be a string"},
    {R"({"op":"subscribe","id":"","queue":"q"})", Errc::bad_request, "'id' must be a non-empty"},
    {R"({"op":"subscribe","id":"s"})", Errc::bad_request, "exactly one of 'queue' or 'exchange'"},
    {R"({"op":"subscribe","id":"s","queue":"q","exchange":"x"})", Errc::bad_request,
     "exactly one of"},
    {R"({"op":"subscribe","id":"s","queue":7})", Errc::bad_request, "'queue' must be a string"},
    {R"({"op":"subscribe","id":"s","exchange":true})", Errc::bad_request,
     "'exchange' must be a string"},
    {R"({"op":"subscribe","id":"s","queue":"q","vhost":[]})", Errc::bad_request,
     "'vhost' must be a string"},
    {R"({"op":"subscribe","id":"s","queue":"q","binding_key":"k"})", Errc::bad_request,
     "only to an exchange subscription"},
    {R"({"op":"subscribe","id":"s","exchange":"x","binding_key":1})", Errc::bad_request,
     "'binding_key' must be a string"},
    {R"({"op":"subscribe","id":"s","exchange":"x","arguments":[]})", Errc::bad_request,
     "'arguments' must be an object"},
    {R"({"op":"subscribe","id":"s","queue":"q","prefetch":-1})", Errc::bad_request, "'prefetch'"},
    {R"({"op":"subscribe","id":"s","queue":"q","prefetch":65536})", Errc::bad_request,
     "'prefetch'"},
    {R"({"op":"subscribe","id":"s","queue":"q","prefetch":"10"})", Errc::bad_request, "'prefetch'"},
    {R"({"op":"subscribe","id":"s","queue":"q","prefetch":1.5})", Errc::bad_request, "'prefetch'"},
    {R"({"op":"subscribe","id":"s","queue":"q","ack":"sometimes"})", Errc::bad_request,
     "'ack' must be"},
    {R"({"op":"subscribe","id":"s","queue":"q","ack":true})", Errc::bad_request,
     "'ack' must be a string"},
    {R"({"op":"subscribe","id":"s","queue":"q","exclusive":"yes"})", Errc::bad_request,
     "'exclusive' must be true or false"},
    {R"({"op":"unsubscribe"})", Errc::bad_request, "missing field 'id'"},
    {R"({"op":"unsubscribe","id":{}})", Errc::bad_request, "'id' must be a string"},
    {R"({"op":"ack"})", Errc::bad_request, "missing field 'tag'"},
    {R"({"op":"ack","tag":0})", Errc::bad_request, "'tag' must be a positive integer"},
    {R"({"op":"ack","tag":-3})", Errc::bad_request, "'tag' must be a positive integer"},
    {R"({"op":"ack","tag":"17"})", Errc::bad_request, "'tag' must be a positive integer"},
    {R"({"op":"ack","tag":17.0})", Errc::bad_request, "'tag' must be a positive integer"},
    {R"({"op":"ack","tag":1,"multiple":"yes"})", Errc::bad_request, "'multiple' must be true"},
    {R"({"op":"ack","tag":1,"requeue":true})", Errc::bad_request, "'requeue' does not apply"},
    {R"({"op":"nack","tag":1,"requeue":1})", Errc::bad_request, "'requeue' must be true"},
    {R"({"op":"nack","tag":null})", Errc::bad_request, "'tag' must be a positive integer"},
    {R"({"op":"reject","tag":1,"multiple":true})", Errc::bad_request, "'multiple' does not"},
    {R"({"op":"publish","routing_key":"k"})", Errc::bad_request, "missing field 'exchange'"},
    {R"({"op":"publish","exchange":5})", Errc::bad_request, "'exchange' must be a string"},
    {R"({"op":"publish","exchange":"","vhost":1})", Errc::bad_request, "'vhost' must be a string"},
    {R"({"op":"publish","exchange":"","payload":5})", Errc::bad_request, "'payload' must be"},
    {R"({"op":"publish","exchange":"","routing_key":[]})", Errc::bad_request, "'routing_key'"},
    {R"({"op":"publish","exchange":"","payload":"x","payload_encoding":"hex"})", Errc::bad_request,
     "'payload_encoding'"},
    {R"({"op":"publish","exchange":"","payload":"!!","payload_encoding":"base64"})",
     Errc::bad_request, "not valid base64"},
    {R"({"op":"publish","exchange":"","properties":[]})", Errc::bad_request, "'properties'"},
    {R"({"op":"publish","exchange":"","properties":{"delivery_mode":"2"}})", Errc::bad_request,
     "delivery_mode"},
    {R"({"op":"publish","exchange":"","properties":{"user_id":"mallory"}})", Errc::bad_request,
     "user_id"},
    {R"({"op":"publish","exchange":"","confirm":1.5})", Errc::bad_request, "'confirm' must be"},
    {R"({"op":"publish","exchange":"","confirm":[1]})", Errc::bad_request, "'confirm' must be"},
};

TEST(WsProtocol, MalformedFramesAreRefusedWithAReason) {
    for (const auto& bad : kBadFrames) {
        SCOPED_TRACE(bad.text);
        auto e = parse_fail(bad.text);
        EXPECT_EQ(e.error.code, bad.code);
        EXPECT_NE(e.error.reason.find(bad.reason_part), std::string::npos) << e.error.reason;
    }
}

TEST(WsProtocol, AnErrorCarriesTheFramesIdOpAndConfirm) {
    auto e = parse_fail(R"({"op":"subscribe","id":"s9","queue":3})");
    EXPECT_EQ(e.id, "s9");
    EXPECT_EQ(e.op, "subscribe");
    EXPECT_TRUE(e.confirm.is_null());
    auto p = parse_fail(R"({"op":"publish","exchange":"","payload":5,"confirm":42,"id":"p1"})");
    EXPECT_EQ(p.confirm, 42);
    EXPECT_EQ(p.id, "p1");
    auto frame = json::parse(render_error(p)).as_object();
    EXPECT_EQ(frame.at("type"), "error");
    EXPECT_EQ(frame.at("id"), "p1");
    EXPECT_EQ(frame.at("confirm"), 42);
    EXPECT_EQ(frame.at("error"), "bad_request");
    // A frame without an id gets an error without one.
    auto plain = json::parse(render_error(parse_fail("{}"))).as_object();
    EXPECT_FALSE(plain.contains("id"));
    EXPECT_FALSE(plain.contains("confirm"));
}

TEST(WsProtocol, ABodyOverTheLimitIsTooLarge) {
    std::string frame =
        R"({"op":"publish","exchange":"","payload":")" + std::string(1025, 'a') + R"("})";
    EXPECT_EQ(parse_fail(frame).error.code, Errc::too_large);
    frame = R"({"op":"publish","exchange":"","payload":")" + std::string(1024, 'a') + R"("})";
    parse_ok(frame);
}

// Seeded mutations of valid frames and random bytes: the parser answers every one (an op or an
// error) and never throws or crashes (this is what ASan runs over).
TEST(WsProtocol, FuzzedFramesNeverBreakTheParser) {
    const std::string seeds[] = {
        R"({"op":"subscribe","id":"s1","vhost":"/","queue":"orders","prefetch":100,"ack":"manual"})",
        R"({"op":"subscribe","id":"s2","exchange":"events","binding_key":"order.*"})",
        R"({"op":"unsubscribe","id":"s1"})",
        R"({"op":"ack","tag":17,"multiple":true})",
        R"({"op":"nack","tag":17,"requeue":true})",
        R"({"op":"publish","exchange":"e","routing_key":"k","payload":"aGk=","payload_encoding":"base64","properties":{"headers":{"a":[1,{"b":null}]}},"confirm":42})",
        R"({"op":"ping"})",
    };
    std::mt19937 rng(20240611);
    const std::string alphabet = "{}[]\":,0123456789.-+eEtrufalsn \\/\x01\xff\xc3\xa9opidqg";
    std::size_t ok = 0;
    std::size_t refused = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string text = seeds[rng() % std::size(seeds)];
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits && !text.empty(); ++e) {
            const std::size_t at = rng() % text.size();
            switch (rng() % 3) {
            case 0:
                text[at] = alphabet[rng() % alphabet.size()];
                break;
            case 1:
                text.erase(at, 1 + rng() % 8);
                break;
            default:
                text.insert(at, 1, alphabet[rng() % alphabet.size()]);
                break;
            }
        }
        if (i % 10 == 0) {
            text.assign(rng() % 64, '\0');
            for (char& c : text) {
                c = static_cast<char>(rng());
            }
        }
        auto r = parse_client_frame(text, kContext);
        if (r) {
            ++ok;
        } else {
            ++refused;
            EXPECT_FALSE(r.error().error.reason.empty());
            EXPECT_TRUE(r.error().error.code == Errc::bad_request ||
                        r.error().error.code == Errc::too_large)
                << text;
            (void)render_error(r.error()); // always renderable
        }
    }
    EXPECT_GT(ok, 0u);
    EXPECT_GT(refused, 0u);
}

MessagePtr sample_message(std::string body) {
    Properties properties;
    properties.delivery_mode = 2;
    properties.content_type = "application/json";
    return make_message("events", "order.created", properties, std::move(body));
}

TEST(WsProtocol, MessageFrame) {
    server::Delivery d;
    d.consumer_tag = "s1";
    d.delivery_tag = 17;
    d.message = sample_message(R"({"id":1})");
    auto frame = json::parse(render_message("s1", d)).as_object();
    EXPECT_EQ(frame.at("type"), "message");
    EXPECT_EQ(frame.at("sub"), "s1");
    EXPECT_EQ(frame.at("tag"), 17);
    EXPECT_EQ(frame.at("exchange"), "events");
    EXPECT_EQ(frame.at("routing_key"), "order.created");
    EXPECT_EQ(frame.at("redelivered"), false);
    EXPECT_EQ(frame.at("delivery_count"), 1);
    EXPECT_EQ(frame.at("payload"), R"({"id":1})");
    EXPECT_EQ(frame.at("payload_encoding"), "string");
    const auto& props = frame.at("properties").as_object();
    EXPECT_EQ(props.at("delivery_mode"), 2);
    EXPECT_EQ(props.at("content_type"), "application/json");
    EXPECT_FALSE(props.contains("headers") &&
                 props.at("headers").as_object().contains("x-delivery-count"));
}

TEST(WsProtocol, RedeliveryCarriesTheCountAndBinaryIsBase64) {
    server::Delivery d;
    d.delivery_tag = 3;
    d.redelivered = true;
    d.delivery_count = 3;
    d.message = sample_message(std::string("\xff\x00\x01", 3));
    auto frame = json::parse(render_message("s2", d)).as_object();
    EXPECT_EQ(frame.at("redelivered"), true);
    EXPECT_EQ(frame.at("delivery_count"), 3);
    EXPECT_EQ(frame.at("payload_encoding"), "base64");
    EXPECT_EQ(frame.at("payload"), "/wAB");
    EXPECT_EQ(frame.at("properties").at("headers").at("x-delivery-count"), 2);
}

// The frame as it was built before render_message wrote text directly: a json::object in the
// same key order, serialized. The direct text must be the same bytes.
std::string reference_message(std::string_view sub, const server::Delivery& delivery) {
    const Message& message = *delivery.message;
    json::object out;
    out["type"] = "message";
    out["sub"] = sub;
    out["tag"] = delivery.delivery_tag;
    out["exchange"] = message.exchange;
    out["routing_key"] = message.routing_key;
    out["redelivered"] = delivery.redelivered;
    out["delivery_count"] = delivery.delivery_count;
    json::object properties = properties_to_json(message.properties);
    if (delivery.delivery_count > 1) {
        json::value& headers = properties["headers"];
        if (!headers.is_object()) {
            headers = json::object{};
        }
        headers.get_object()["x-delivery-count"] = delivery.delivery_count - 1;
    }
    out["properties"] = std::move(properties);
    const std::string_view body = *message.body;
    out["payload_bytes"] = body.size();
    if (is_valid_utf8(body)) {
        out["payload"] = body;
        out["payload_encoding"] = "string";
    } else {
        out["payload"] = base64_encode(body);
        out["payload_encoding"] = "base64";
    }
    return json::serialize(out);
}

TEST(WsProtocol, MessageFrameTextIsWhatBoostJsonWouldWrite) {
    Properties everything;
    everything.content_type = "text/plain; charset=\"utf-8\"";
    everything.content_encoding = "gzip";
    everything.headers =
        json::parse(R"({"a":1,"nested":{"x":[1,"two",null,true]},"f":1.5})").as_object();
    everything.delivery_mode = 1;
    everything.priority = 9;
    everything.correlation_id = "c\n1\t\x01";
    everything.reply_to = "r\\q";
    everything.expiration = "60000";
    everything.message_id = "m-\xc3\xa9-\xe2\x82\xac";
    everything.timestamp = -5;
    everything.type = "t";
    everything.user_id = "guest";
    everything.app_id = "\x7f";
    Properties with_count_header;
    with_count_header.headers = json::parse(R"({"x-delivery-count":7,"k":"v"})").as_object();

    const std::string bodies[] = {"",
                                  "plain",
                                  "quote \" backslash \\ newline \n tab \t \x1f",
                                  "caf\xc3\xa9 \xf0\x9f\x90\x87",
                                  std::string("\xff\x00\x01", 3),
                                  std::string(1000, 'x')};
    const Properties properties[] = {{}, everything, with_count_header};
    for (const auto& props : properties) {
        // The stored form is the same text (empty for empty properties).
        EXPECT_EQ(serialize_properties(props), props == Properties{}
                                                   ? std::string()
                                                   : json::serialize(properties_to_json(props)));
    }
    for (const auto& body : bodies) {
        for (const auto& props : properties) {
            for (std::uint32_t count : {1u, 2u, 5u}) {
                server::Delivery d;
                d.delivery_tag = 123456789012345ull;
                d.redelivered = count > 1;
                d.delivery_count = count;
                d.message = make_message("ex\"1", "key.\xc3\xa9", props, body);
                EXPECT_EQ(render_message("sub \"1\"", d), reference_message("sub \"1\"", d))
                    << "body '" << body << "', count " << count;
            }
        }
    }
}

TEST(WsProtocol, ConfirmTextIsWhatBoostJsonWouldWrite) {
    const json::value confirms[] = {0,
                                    42,
                                    -7,
                                    json::value(std::uint64_t{18446744073709551615ull}),
                                    json::value(std::int64_t{INT64_MIN}),
                                    "c\"1",
                                    ""};
    for (const auto& confirm : confirms) {
        for (bool routed : {true, false}) {
            EXPECT_EQ(render_confirm(confirm, routed),
                      json::serialize(json::object{
                          {"type", "confirm"}, {"confirm", confirm}, {"routed", routed}}));
        }
    }
}

TEST(WsProtocol, JsonTextEscapesEveryAsciiByteAsBoostJson) {
    for (int c = 0; c < 0x80; ++c) {
        const std::string text = "a" + std::string(1, static_cast<char>(c)) + "b";
        std::string out;
        json_text::append_string(out, text);
        EXPECT_EQ(out, json::serialize(json::value(text))) << "byte " << c;
    }
}

TEST(WsProtocol, OtherServerFrames) {
    EXPECT_EQ(json::parse(render_subscribed("s1", "orders")),
              json::parse(R"({"type":"subscribed","id":"s1","queue":"orders"})"));
    EXPECT_EQ(json::parse(render_confirm(42, true)),
              json::parse(R"({"type":"confirm","confirm":42,"routed":true})"));
    EXPECT_EQ(json::parse(render_confirm("c", false)),
              json::parse(R"({"type":"confirm","confirm":"c","routed":false})"));
    EXPECT_EQ(json::parse(render_pong()), json::parse(R"({"type":"pong"})"));
    EXPECT_EQ(json::parse(render_pong(5)), json::parse(R"({"type":"pong","id":5})"));
    EXPECT_EQ(json::parse(render_error(Error{Errc::not_found, "no queue 'q' in vhost '/'"}, "s1")),
              json::parse(R"({"type":"error","id":"s1","error":"not_found",)"
                          R"("reason":"no queue 'q' in vhost '/'"})"));
    EXPECT_EQ(json::parse(render_error(Error{Errc::rejected, "full"}, nullptr, 7)).at("confirm"),
              7);
    auto cancelled = json::parse(render_cancelled("s1", "q")).as_object();
    EXPECT_EQ(cancelled.at("type"), "cancelled");
    EXPECT_EQ(cancelled.at("id"), "s1");
    EXPECT_EQ(cancelled.at("queue"), "q");
}

} // namespace
} // namespace warren::web::ws

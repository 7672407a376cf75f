// definitions: a definitions document as POST /api/definitions and POST /api/definitions/{vhost}
// receive it: parse_client_json, web::definitions_from_json (web/handlers/definitions_import),
// Broker::import_definitions on a fresh in-memory broker as an administrator, then
// Broker::export_definitions and web::definitions_document.
//
// Invariants besides "no crash, leak or UB": a refusal is an Error, never an exception; after an
// import that succeeded, the export is a document that definitions_from_json reads and a fresh
// broker imports without a single error, and that broker exports the same document again.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "fuzz/support/check.hpp"
#include "fuzz/support/json_checks.hpp"
#include "server/broker.hpp"
#include "server/clock.hpp"
#include "web/handlers/definitions_export.hpp"
#include "web/handlers/definitions_import.hpp"
#include "web/json_codec.hpp"

namespace {

namespace json = boost::json;
using warren::server::Broker;
using warren::server::Principal;

// The importer: an administrator who is not a user of the broker (so the export holds only
// what the document made, and a second broker starts from the same state).
const Principal kAdmin{"admin", {"administrator"}, true};
const std::string kVhost = "/";

// What `broker` exports, as RabbitMQ's document.
json::object export_document(const Broker& broker, bool per_vhost) {
    auto exported = broker.export_definitions(
        kAdmin, per_vhost ? std::optional<std::string_view>(kVhost) : std::nullopt);
    FUZZ_CHECK(exported.has_value(), "export failed: " + exported.error().reason);
    return warren::web::definitions_document(*exported, per_vhost);
}

// The document `broker` exports imports cleanly into a fresh broker, which exports it again.
void check_round_trip(const Broker& broker, bool per_vhost) {
    const json::object first = export_document(broker, per_vhost);
    const std::string text = json::serialize(first);
    auto reparsed = warren::web::parse_client_json(text, "the export");
    FUZZ_CHECK(reparsed.has_value() && reparsed->is_object(), "the export does not parse: " + text);
    auto definitions =
        warren::web::definitions_from_json(reparsed->get_object(), per_vhost ? &kVhost : nullptr);
    FUZZ_CHECK(definitions.has_value(),
               "the export is refused: " + definitions.error().reason + "\n" + text);
    warren::server::FakeClock clock;
    Broker fresh{clock};
    auto imported = fresh.import_definitions(
        kAdmin, *definitions, per_vhost ? std::optional<std::string_view>(kVhost) : std::nullopt);
    FUZZ_CHECK(imported.has_value(),
               "the export does not import: " + imported.error().reason + "\n" + text);
    const json::object second = export_document(fresh, per_vhost);
    FUZZ_CHECK(warren::fuzz::same_json(second, first),
               "the export changed through an import:\n" + text + "\n" + json::serialize(second));
}

void import(const json::object& doc, bool per_vhost) {
    auto definitions = warren::web::definitions_from_json(doc, per_vhost ? &kVhost : nullptr);
    if (!definitions) {
        return;
    }
    warren::server::FakeClock clock;
    Broker broker{clock};
    auto imported = broker.import_definitions(
        kAdmin, *definitions, per_vhost ? std::optional<std::string_view>(kVhost) : std::nullopt);
    if (imported) {
        check_round_trip(broker, per_vhost);
    } else {
        (void)export_document(broker, per_vhost); // what went in before the error exports
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    spdlog::set_level(spdlog::level::off); // ignored sections are logged as warnings
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto doc = warren::web::parse_client_json(text, "the definitions document");
    if (!doc || !doc->is_object()) {
        return 0;
    }
    import(doc->get_object(), false);
    import(doc->get_object(), true);
    return 0;
}

// Broker: the stream calls (DESIGN.md section 7): a stream's summary, reading by offset, and
// named consumers' stored offsets. Subscribing to a stream is Session::consume with
// ConsumeOptions::stream_start / stream_consumer.

#include "server/broker.hpp"
#include "server/core.hpp"
#include "server/queue.hpp"
#include "server/vhost.hpp"
#include "server/view_builders.hpp"

namespace warren::server {
namespace {

Result<std::shared_ptr<Queue>> find_stream(Core& core, std::string_view vhost,
                                           std::string_view name) {
    auto v = core.vhost(vhost);
    if (!v) {
        return v.error();
    }
    auto queue = (*v)->find_queue(name);
    if (!queue) {
        return make_error(Errc::not_found, "no " + describe("queue", name, vhost));
    }
    if (queue->stream() == nullptr) {
        return make_error(Errc::bad_request,
                          describe("queue", name, vhost) + " is not a stream (x-queue-type)");
    }
    return queue;
}

} // namespace

Result<StreamView> Broker::stream(const Principal& who, std::string_view vhost,
                                  std::string_view name) const {
    if (auto ok = check_vhost_access(who, vhost); !ok) {
        return ok.error();
    }
    auto queue = find_stream(*core_, vhost, name);
    if (!queue) {
        return queue.error();
    }
    return *queue_view(**queue, core_->stats(), ViewDetail::summary).stream;
}

void Broker::read_stream(const Principal& who, std::string_view vhost, std::string_view name,
                         const StreamStart& start, std::size_t count,
                         std::function<void(Result<StreamMessages>)> done) {
    auto fail = [&done](Error e) { done(std::move(e)); };
    if (auto ok = check_permission(who, vhost, Access::read, "queue", name); !ok) {
        return fail(ok.error());
    }
    auto queue = find_stream(*core_, vhost, name);
    if (!queue) {
        return fail(queue.error());
    }
    (*queue)->stream()->read(start, count, [done = std::move(done)](Result<StreamPage> page) {
        if (!page) {
            done(page.error());
            return;
        }
        StreamMessages out;
        out.next_offset = page->next_offset;
        out.messages.reserve(page->entries.size());
        for (auto& e : page->entries) {
            out.messages.push_back({offset_of(e), e.timestamp, std::move(e.message)});
        }
        done(std::move(out));
    });
}

Result<StreamConsumerView> Broker::stream_consumer(const Principal& who, std::string_view vhost,
                                                   std::string_view name,
                                                   std::string_view consumer) const {
    if (auto ok = check_permission(who, vhost, Access::read, "queue", name); !ok) {
        return ok.error();
    }
    auto queue = find_stream(*core_, vhost, name);
    if (!queue) {
        return queue.error();
    }
    auto offset = (*queue)->stream()->consumer_offset(consumer);
    if (!offset) {
        return make_error(Errc::not_found, "no stored offset for consumer '" +
                                               std::string(consumer) + "' of " +
                                               describe("queue", name, vhost));
    }
    return *offset;
}

Result<void> Broker::set_stream_offset(const Principal& who, std::string_view vhost,
                                       std::string_view name, std::string_view consumer,
                                       std::uint64_t offset) {
    if (auto ok = check_permission(who, vhost, Access::read, "queue", name); !ok) {
        return ok.error();
    }
    auto queue = find_stream(*core_, vhost, name);
    if (!queue) {
        return queue.error();
    }
    if (consumer.empty() || consumer.size() > 255) {
        return make_error(Errc::bad_request, "a consumer name has 1 to 255 bytes");
    }
    (*queue)->stream()->set_offset(std::string(consumer), offset);
    return {};
}

} // namespace warren::server

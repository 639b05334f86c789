#include "deliver.hpp"

#include "cli_error.hpp"

#include <lettre/transport/file_transport.hpp>

namespace lettre::cli {
namespace {

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

std::string deliver_to(const outbox_target& target, const outgoing_message& msg) {
    const lettre::file_transport transport(target.directory);
    auto sent = std::visit(
        overloaded{
            [&](const lettre::message& m) { return transport.try_send(m); },
            [&](const raw_message& r) { return transport.try_send_raw(r.envelope, r.bytes); },
        },
        msg);
    if (!sent) throw from_library(sent.error(), "--outbox", target.directory.string());
    return "sent to outbox: " + sent->eml_path.string() + " (envelope " + sent->json_path.string() +
           ")";
}

}  // namespace

std::string deliver(const delivery_target& target, const outgoing_message& msg) {
    return std::visit([&](const auto& t) { return deliver_to(t, msg); }, target);
}

}  // namespace lettre::cli

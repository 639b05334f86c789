// libFuzzer target: RFC 5322 address parsing (lettre::address_list::try_parse,
// lettre::mailbox::try_parse) and the round trip through a written header.
//
// Invariants, for arbitrary input bytes:
//
// 1. Neither parser crashes, leaks or invokes undefined behaviour.
//
// 2. When a parser accepts the input, what it returns can be written: a
//    message with those addresses in To (plus a fixed From and a Bcc so that
//    the envelope is never empty) builds without error. The parser is the
//    gate for user text, so whatever it lets through the writer must take.
//
// 3. Written and read back, the addresses are unchanged: the To field of the
//    built message, unfolded (CRLF removed, RFC 5322 2.2.3), parses with
//    address_list::try_parse to the same entries (same groups, display names,
//    local parts; domains equal ignoring case), in the same order.
//
// 4. Every address's addr-spec form, address::to_string(), parses back with
//    address::try_parse to an equal address, and its domain is ASCII
//    (A-labels or a domain literal).
#include "fuzz_common.hpp"

#include <lettre/message.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace {

std::string describe(const lettre::mailbox& m) {
    return "{name=" + fuzz::escape(m.name()) + " local=" + fuzz::escape(m.email().local_part()) +
           " domain=" + fuzz::escape(m.email().domain()) + "}";
}

std::string describe(const lettre::address_list& l) {
    std::string s = "[";
    for (const auto& e : l.entries()) {
        if (s.size() > 1) s += ", ";
        if (const auto* m = std::get_if<lettre::mailbox>(&e)) {
            s += describe(*m);
        } else {
            const auto& g = std::get<lettre::group>(e);
            s += "group " + fuzz::escape(g.name) + ":";
            for (const auto& gm : g.members) s += " " + describe(gm);
            s += ";";
        }
    }
    return s + "]";
}

void check_address(const lettre::address& a, std::string_view input) {
    for (const char c : a.domain())
        if (static_cast<unsigned char>(c) > 0x7f)
            fuzz::fail("domain is not ASCII after parsing", input, fuzz::escape(a.domain()));
    const std::string spec = a.to_string();
    const auto back = lettre::address::try_parse(spec);
    if (!back)
        fuzz::fail("address::to_string() does not parse back", input,
                   "addr-spec=" + fuzz::escape(spec) + " error=" + back.error().message);
    if (!(*back == a))
        fuzz::fail("address::to_string() parses back to another address", input,
                   "addr-spec=" + fuzz::escape(spec) + " local=" + fuzz::escape(a.local_part()) +
                       " reparsed local=" + fuzz::escape(back->local_part()) +
                       " domain=" + fuzz::escape(a.domain()) +
                       " reparsed domain=" + fuzz::escape(back->domain()));
}

void round_trip(const lettre::address_list& list, std::string_view input) {
    if (list.empty()) return;
    for (const auto& m : list.mailboxes()) check_address(m.email(), input);

    lettre::message_builder b;
    b.from("fuzz@example.com")
        .bcc("fuzz-bcc@example.com")
        .subject("fuzz")
        .date("Sat, 01 Nov 2025 12:00:00 +0000")
        .message_id("<fuzz@example.com>")
        .text("fuzz\n");
    for (const auto& e : list.entries()) std::visit([&](const auto& v) { b.to(v); }, e);
    const auto msg = b.try_build();
    if (!msg)
        fuzz::fail("parsed addresses cannot be written", input,
                   describe(list) + " error=" + msg.error().message);
    const auto to = msg->header("To");
    if (!to) fuzz::fail("built message has no To field", input, describe(list));

    std::string unfolded;
    for (std::size_t i = 0; i < to->size(); ++i) {
        if ((*to)[i] == '\r' && i + 1 < to->size() && (*to)[i + 1] == '\n') {
            ++i;
            continue;
        }
        unfolded += (*to)[i];
    }
    const auto back = lettre::address_list::try_parse(unfolded);
    if (!back)
        fuzz::fail("written To field does not parse back", input,
                   "To: " + fuzz::escape(*to) + " error=" + back.error().message);
    if (back->entries() != list.entries())
        fuzz::fail("written To field parses back to other addresses", input,
                   "To: " + fuzz::escape(*to) + "\n    parsed:   " + describe(list) +
                       "\n    reparsed: " + describe(*back));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    if (const auto m = lettre::mailbox::try_parse(in)) {
        lettre::address_list l;
        l.push_back(*m);
        round_trip(l, in);
    }
    if (const auto l = lettre::address_list::try_parse(in)) round_trip(*l, in);
    return 0;
}

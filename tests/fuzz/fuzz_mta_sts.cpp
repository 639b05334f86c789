// libFuzzer target: what a domain can publish for MTA-STS (RFC 8461).
//
// 1. parse_sts_record on the input as one TXT record: no crash; a parsed
//    id is 1..32 letters and digits; select_sts_record on the input split
//    at NUL bytes into records agrees with parsing the one v=STSv1 record.
// 2. parse_policy on the input: no crash; a parsed policy has max_age
//    within 0..31557600, its text is the input, and every mx pattern is
//    lower case, non-empty, and matches the host it names (a `*.x` pattern
//    matches `a.x`); CRLF and LF forms of the same lines parse alike.
#include "fuzz_common.hpp"

#include <lettre/transport/mta_sts.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace lettre::mta_sts;

void check(bool ok) {
    if (!ok) __builtin_trap();
}

void txt_record(std::string_view in) {
    if (auto r = parse_sts_record(in)) {
        check(!r->id.empty() && r->id.size() <= 32);
        for (char c : r->id)
            check((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'));
    }
    std::vector<lettre::dns::txt_record> records;
    std::size_t sts = 0;
    for (std::string_view rest = in;;) {
        const auto nul = rest.find('\0');
        records.push_back({{std::string(rest.substr(0, nul))}, 0});
        if (nul == std::string_view::npos) break;
        rest.remove_prefix(nul + 1);
    }
    auto selected = select_sts_record(records);
    for (const auto& r : records)
        if (r.text().starts_with("v=STSv1") && (r.text().size() == 7 || r.text()[7] == ';' ||
                                                r.text()[7] == ' ' || r.text()[7] == '\t'))
            ++sts;
    if (sts >= 2) check(!selected);
    if (sts == 0) check(selected && !selected->has_value());
}

void policy_body(std::string_view in) {
    auto p = parse_policy(in);
    if (!p) return;
    check(p->max_age <= max_max_age && p->text == in);
    for (const auto& pattern : p->mx) {
        check(!pattern.empty());
        for (char c : pattern) check(!(c >= 'A' && c <= 'Z'));
        const std::string host = pattern.starts_with("*.") ? "a" + pattern.substr(1) : pattern;
        check(p->matches(host));
    }
    // The same lines with LF only parse to the same policy.
    std::string lf;
    for (std::size_t i = 0; i < in.size(); ++i)
        if (!(in[i] == '\r' && i + 1 < in.size() && in[i + 1] == '\n')) lf += in[i];
    auto q = parse_policy(lf);
    check(q && q->mode == p->mode && q->mx == p->mx && q->max_age == p->max_age);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    txt_record(in);
    policy_body(in);
    return 0;
}

// libFuzzer target: the `lettre send --each-to FILE` line reader
// (src/cli/each_to_lines) and what the sender makes of each line, over a
// memory stream as standard input.
//
// The input is the file, except that a byte 0x7f followed by a byte X stands
// for 1000 X (so that lines past the 4 KiB limit are within reach).
//   - no crash, leak or undefined behaviour;
//   - every line handed out is at most address_line_limit octets, holds no
//     LF, and line numbers count up from 1;
//   - the lines, each followed by LF, are exactly the start of the file: all
//     of it (the last LF optional), or up to a line over the limit, and then
//     stopped() says so and the line really is over the limit;
//   - a line the sender would send to (trimmed, not blank, not '#') parses
//     as a mailbox whose address has no CR, LF or NUL, makes an envelope,
//     and parses back from its to_string().
#include "fuzz_common.hpp"

#include "cli/each_to_lines.hpp"
#include "cli/io_files.hpp"

#include <lettre/message/address.hpp>
#include <lettre/message/envelope.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

namespace {

std::string expand(std::string_view in) {
    std::string out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '\x7f' && i + 1 < in.size()) {
            out.append(1000, in[++i]);
        } else {
            out += in[i];
        }
    }
    return out;
}

void check_line(std::string_view line, std::string_view input) {
    const std::string_view text = lettre::cli::trim_address_line(line);
    if (text.empty() || text.front() == '#') return;
    const auto rcpt = lettre::mailbox::try_parse(text);
    if (!rcpt) return;
    const std::string addr = rcpt->email().to_string();
    if (addr.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
        fuzz::fail("recipient address with CR, LF or NUL", input, addr);
    if (!lettre::envelope::try_create(std::nullopt, {rcpt->email()}))
        fuzz::fail("a parsed recipient makes no envelope", input, addr);
    const auto again = lettre::address::try_parse(addr);
    if (!again || *again != rcpt->email())
        fuzz::fail("recipient does not parse back from to_string()", input, addr);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::string file = expand(input);
    std::istringstream in(file);
    lettre::cli::address_lines lines("-", in);
    std::string line;
    std::size_t at = 0;
    std::size_t count = 0;
    while (lines.next(line)) {
        ++count;
        if (lines.number() != count) fuzz::fail("line numbers do not count up", input);
        if (line.size() > lettre::cli::address_line_limit)
            fuzz::fail("line over the limit handed out", input);
        if (line.find('\n') != std::string::npos) fuzz::fail("line holds an LF", input);
        if (file.compare(at, line.size(), line) != 0)
            fuzz::fail("line is not the file's next bytes", input);
        at += line.size();
        if (at < file.size() && file[at] != '\n') fuzz::fail("line does not end at an LF", input);
        at += 1;
        check_line(line, input);
    }
    if (lines.stopped()) {
        const auto lf = file.find('\n', at);
        const std::size_t len = (lf == std::string::npos ? file.size() : lf) - at;
        if (len <= lettre::cli::address_line_limit)
            fuzz::fail("stopped at a line within the limit", input, *lines.stopped());
    } else if (at < file.size()) {
        fuzz::fail("reading ended before the end of the file", input);
    }
    return 0;
}

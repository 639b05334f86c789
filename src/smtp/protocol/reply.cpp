#include "smtp/protocol/reply.hpp"

#include <fmt/format.h>

#include <charconv>

namespace lettre::smtp {
namespace {

bool digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

/// Parses "x.y.z" (RFC 3463: class 2/4/5, subject and detail 1-3 digits)
/// at the start of `s`; returns the length consumed.
std::size_t parse_enhanced(std::string_view s, enhanced_status& out) noexcept {
    int parts[3] = {0, 0, 0};
    std::size_t i = 0;
    for (int k = 0; k < 3; ++k) {
        const std::size_t start = i;
        while (i < s.size() && digit(s[i]) && i - start < 3) ++i;
        if (i == start) return 0;
        std::from_chars(s.data() + start, s.data() + i, parts[k]);
        if (k < 2) {
            if (i >= s.size() || s[i] != '.') return 0;
            ++i;
        }
    }
    if (i < s.size() && s[i] != ' ') return 0;
    if (parts[0] != 2 && parts[0] != 4 && parts[0] != 5) return 0;
    out = {parts[0], parts[1], parts[2]};
    return i;
}

}  // namespace

std::string enhanced_status::to_string() const {
    return fmt::format("{}.{}.{}", klass, subject, detail);
}

reply::reply(int code, std::vector<std::string> lines) : code_(code), lines_(std::move(lines)) {
    if (!lines_.empty()) {
        enhanced_status e;
        if (parse_enhanced(lines_.front(), e) && e.klass == code_ / 100) enhanced_ = e;
    }
}

std::string reply::message() const {
    std::string out;
    for (std::size_t i = 0; i < lines_.size(); ++i) {
        std::string_view l = lines_[i];
        if (enhanced_) {
            enhanced_status e;
            if (const std::size_t n = parse_enhanced(l, e)) {
                l.remove_prefix(n);
                if (!l.empty() && l.front() == ' ') l.remove_prefix(1);
            }
        }
        if (i) out += '\n';
        out += l;
    }
    return out;
}

std::string reply::to_string() const {
    std::string out = std::to_string(code_);
    for (std::size_t i = 0; i < lines_.size(); ++i) {
        out += i == 0 ? " " : " / ";
        out += lines_[i];
    }
    return out;
}

bool reply_parser::feed(std::string_view bytes) {
    if (error_) return false;
    // Compact once the consumed prefix dominates, so the buffer stays small.
    if (pos_ > 0 && pos_ >= buf_.size() / 2) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
    buf_.append(bytes);
    return parse_available();
}

bool reply_parser::parse_available() {
    while (true) {
        const std::size_t nl = buf_.find('\n', pos_);
        if (nl == std::string::npos) {
            if (buf_.size() - pos_ > max_line_ + 1) {  // + the CR of a CRLF split in two
                error_ = make_error(errc::smtp_protocol,
                                    fmt::format("reply line longer than {} octets", max_line_));
                return false;
            }
            return true;
        }
        std::string_view line(buf_.data() + pos_, nl - pos_);
        pos_ = nl + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.size() > max_line_) {
            error_ = make_error(errc::smtp_protocol,
                                fmt::format("reply line longer than {} octets", max_line_));
            return false;
        }
        // reply-line = 3DIGIT [ ("-" / SP) text ]
        if (line.size() < 3 || !digit(line[0]) || !digit(line[1]) || !digit(line[2]) ||
            line[0] < '2' || line[0] > '5' ||
            (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
            error_ =
                make_error(errc::smtp_protocol,
                           fmt::format("malformed reply line \"{}\"",
                                       line.substr(0, std::min<std::size_t>(line.size(), 80))));
            return false;
        }
        const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        if (!lines_.empty() && code != code_) {
            error_ = make_error(errc::smtp_protocol,
                                fmt::format("reply code changed from {} to {} inside a "
                                            "multi-line reply",
                                            code_, code));
            return false;
        }
        code_ = code;
        lines_.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
        if (lines_.size() > max_lines_) {
            error_ = make_error(errc::smtp_protocol,
                                fmt::format("reply longer than {} lines", max_lines_));
            return false;
        }
        const bool last = line.size() == 3 || line[3] == ' ';
        if (last) {
            ready_.emplace_back(code_, std::move(lines_));
            lines_.clear();
        }
    }
}

std::optional<reply> reply_parser::next() {
    if (ready_.empty()) return std::nullopt;
    reply r = std::move(ready_.front());
    ready_.erase(ready_.begin());
    return r;
}

void reply_parser::reset() {
    buf_.clear();
    pos_ = 0;
    lines_.clear();
    ready_.clear();
}

}  // namespace lettre::smtp

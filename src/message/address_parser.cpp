#include "message/address_parser.hpp"

#include "detail/utf8.hpp"
#include "message/encoded_word.hpp"

#include <fmt/format.h>

#include <optional>
#include <vector>

namespace lettre::detail {

bool is_atext(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) return true;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

namespace {

bool is_dot_atom(std::string_view s) noexcept {
    if (s.empty() || s.front() == '.' || s.back() == '.') return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '.') {
            if (s[i + 1] == '.') return false;
        } else if (!is_atext(s[i])) {
            return false;
        }
    }
    return true;
}

struct word {
    std::string text;
    bool quoted = false;
    bool dot = false;
    bool space_before = false;
    std::size_t pos = 0;
};

class parser {
public:
    explicit parser(std::string_view in) : in_(in) {}

    bool failed() const noexcept { return err_.has_value(); }
    error_info take_error() { return std::move(*err_); }
    bool at_end() const noexcept { return pos_ >= in_.size(); }
    char peek() const noexcept { return at_end() ? '\0' : in_[pos_]; }
    bool consume(char c) noexcept {
        if (peek() != c || at_end()) return false;
        ++pos_;
        return true;
    }
    std::size_t pos() const noexcept { return pos_; }

    void fail(errc code, std::string_view what, std::size_t at) {
        if (!err_)
            err_ = make_error(code, fmt::format("invalid address {}: {} at offset {}",
                                                quote_for_error(in_), what, at));
    }
    void fail_here(std::string_view what) {
        if (at_end())
            fail(errc::invalid_address, fmt::format("{}, found end of input", what), pos_);
        else
            fail(errc::invalid_address,
                 fmt::format("{}, found {}", what, quote_for_error(in_.substr(pos_, 1))), pos_);
    }

    bool check_controls() {
        for (std::size_t i = 0; i < in_.size(); ++i) {
            const char c = in_[i];
            if (c == '\r' || c == '\n' || c == '\0') {
                fail(errc::header_injection, "CR, LF or NUL", i);
                return false;
            }
        }
        return true;
    }

    /// Skips white space and (nested) comments; true when anything was skipped.
    bool skip_cfws() {
        const std::size_t start = pos_;
        while (!at_end()) {
            const char c = in_[pos_];
            if (c == ' ' || c == '\t') {
                ++pos_;
            } else if (c == '(') {
                skip_comment();
                if (failed()) return true;
            } else {
                break;
            }
        }
        return pos_ != start;
    }

    std::vector<word> read_words() {
        std::vector<word> words;
        while (!failed()) {
            const bool space = skip_cfws();
            if (failed() || at_end()) break;
            word w;
            w.space_before = space;
            w.pos = pos_;
            const char c = in_[pos_];
            if (c == '"') {
                w.quoted = true;
                if (!read_quoted(w.text)) break;
            } else if (c == '.') {
                w.dot = true;
                w.text = ".";
                ++pos_;
            } else if (is_atext(c)) {
                while (!at_end() && is_atext(in_[pos_])) w.text.push_back(in_[pos_++]);
            } else {
                break;
            }
            words.push_back(std::move(w));
        }
        return words;
    }

    /// local part from words: one quoted string or a dot-atom without spaces.
    std::optional<std::string> local_part(const std::vector<word>& words, std::size_t at) {
        if (words.empty()) {
            fail(errc::invalid_address, "empty local part", at);
            return std::nullopt;
        }
        if (words.size() == 1 && words[0].quoted) return words[0].text;
        std::string local;
        for (std::size_t i = 0; i < words.size(); ++i) {
            const word& w = words[i];
            if (w.quoted) {
                fail(errc::invalid_address, "a quoted string must be the whole local part", w.pos);
                return std::nullopt;
            }
            if (i > 0 && w.space_before) {
                fail(errc::invalid_address, "space inside the local part", w.pos);
                return std::nullopt;
            }
            local += w.text;
        }
        if (!is_dot_atom(local)) {
            fail(errc::invalid_address, "local part has a leading, trailing or doubled dot",
                 words.front().pos);
            return std::nullopt;
        }
        return local;
    }

    std::optional<std::string> domain() {
        const std::size_t start = pos_;
        if (peek() == '[') {
            while (!at_end() && in_[pos_] != ']') ++pos_;
            if (at_end()) {
                fail(errc::invalid_address, "unterminated domain literal", start);
                return std::nullopt;
            }
            ++pos_;
        } else {
            while (!at_end() && (is_atext(in_[pos_]) || in_[pos_] == '.')) ++pos_;
        }
        if (pos_ == start) {
            fail_here("expected a domain");
            return std::nullopt;
        }
        return std::string(in_.substr(start, pos_ - start));
    }

    /// addr-spec after its local-part words; positioned at '@'.
    std::optional<address> addr_spec_after(const std::vector<word>& words, std::size_t start) {
        auto local = local_part(words, start);
        if (!local) return std::nullopt;
        ++pos_;  // '@'
        auto dom = domain();
        if (!dom) return std::nullopt;
        auto addr = address::try_from_parts(*local, *dom);
        if (!addr) {
            if (!err_) err_ = std::move(addr).error();
            return std::nullopt;
        }
        return std::move(*addr);
    }

    std::optional<address> angle_addr() {
        ++pos_;  // '<'
        skip_cfws();
        const std::size_t start = pos_;
        auto words = read_words();
        if (failed()) return std::nullopt;
        if (peek() != '@') {
            fail_here(words.empty() ? "expected an address" : "expected '@'");
            return std::nullopt;
        }
        auto addr = addr_spec_after(words, start);
        if (!addr) return std::nullopt;
        skip_cfws();
        if (peek() != '>') {
            fail_here("expected '>'");
            return std::nullopt;
        }
        ++pos_;
        skip_cfws();
        return addr;
    }

    std::optional<std::string> phrase(const std::vector<word>& words) {
        // Encoded-words are decoded in runs of unquoted words only: inside a
        // quoted-string "=?...?=" is plain text (RFC 2047 §5).
        std::string name;
        std::string run;  // unquoted words not yet appended
        bool encoded = false;
        auto flush = [&]() -> bool {
            if (encoded) {
                auto decoded = decode_unstructured(run);
                if (decoded) run = std::move(*decoded);
                // `=?...?q?a=0D=0Ab?=` decodes to what no header may carry.
                if (run.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
                    fail(errc::header_injection,
                         "display name: an encoded-word decodes to CR, LF or NUL",
                         words.empty() ? 0 : words.front().pos);
                    return false;
                }
            }
            name += run;
            run.clear();
            encoded = false;
            return true;
        };
        for (std::size_t i = 0; i < words.size(); ++i) {
            const std::string_view space = i > 0 && words[i].space_before ? " " : "";
            if (words[i].quoted) {
                if (!flush()) return std::nullopt;
                name += space;
                name += words[i].text;
                continue;
            }
            if (run.empty()) {
                name += space;
            } else {
                run += space;
            }
            run += words[i].text;
            if (words[i].text.starts_with("=?")) encoded = true;
        }
        if (!flush()) return std::nullopt;
        if (!is_valid_utf8(name)) {
            fail(errc::invalid_utf8, "display name is not valid UTF-8",
                 words.empty() ? 0 : words.front().pos);
            return std::nullopt;
        }
        return name;
    }

    /// mailbox, or (when allowed) a group; appended to `out`.
    void address_entry(address_list& out, bool allow_group) {
        skip_cfws();
        const std::size_t start = pos_;
        auto words = read_words();
        if (failed()) return;
        const char c = peek();
        if (c == '<') {
            auto name = phrase(words);
            if (!name) return;
            auto addr = angle_addr();
            if (addr) out.push_back(mailbox(std::move(*name), std::move(*addr)));
        } else if (c == '@') {
            auto addr = addr_spec_after(words, start);
            if (!addr) return;
            skip_cfws();
            out.push_back(mailbox(std::move(*addr)));
        } else if (c == ':' && allow_group) {
            if (words.empty()) {
                fail(errc::invalid_address, "group without a name", pos_);
                return;
            }
            auto name = phrase(words);
            if (!name) return;
            if (name->empty()) {
                // `"":;` is a phrase of one empty quoted-string; a group needs
                // a name to be written back (the builder refuses an empty one).
                fail(errc::invalid_address, "group without a name", pos_);
                return;
            }
            ++pos_;
            group g{std::move(*name), {}};
            skip_cfws();
            while (!failed() && peek() != ';') {
                address_list members;
                address_entry(members, false);
                if (failed()) return;
                for (auto& m : members.entries()) g.members.push_back(std::get<mailbox>(m));
                skip_cfws();
                if (peek() == ',') {
                    ++pos_;
                } else if (peek() != ';') {
                    fail_here("expected ',' or ';' in group");
                    return;
                }
            }
            if (failed()) return;
            ++pos_;  // ';'
            skip_cfws();
            out.push_back(std::move(g));
        } else if (words.empty()) {
            fail_here("expected an address");
        } else {
            fail_here(allow_group ? "expected '<', '@' or ':'" : "expected '<' or '@'");
        }
    }

private:
    bool read_quoted(std::string& out) {
        const std::size_t start = pos_++;
        while (!at_end()) {
            const char c = in_[pos_];
            const auto u = static_cast<unsigned char>(c);
            if (c == '"') {
                ++pos_;
                return true;
            }
            if (c == '\\') {
                if (pos_ + 1 >= in_.size()) break;
                out.push_back(in_[pos_ + 1]);
                pos_ += 2;
                continue;
            }
            if ((u < 0x20 && c != '\t') || u == 0x7F) {
                fail(errc::invalid_address, "control character in quoted string", pos_);
                return false;
            }
            out.push_back(c);
            ++pos_;
        }
        fail(errc::invalid_address, "unterminated quoted string", start);
        return false;
    }

    void skip_comment() {
        const std::size_t start = pos_;
        int depth = 0;
        while (!at_end()) {
            const char c = in_[pos_++];
            if (c == '\\') {
                if (!at_end()) ++pos_;
            } else if (c == '(') {
                ++depth;
            } else if (c == ')') {
                if (--depth == 0) return;
            }
        }
        fail(errc::invalid_address, "unterminated comment", start);
    }

    std::string_view in_;
    std::size_t pos_ = 0;
    std::optional<error_info> err_;
};

}  // namespace

result<address_list> parse_address_list(std::string_view text) {
    parser p(text);
    if (!p.check_controls()) return p.take_error();
    address_list list;
    p.skip_cfws();
    if (p.at_end()) {
        p.fail(errc::invalid_address, "empty address list", 0);
        return p.take_error();
    }
    while (!p.failed()) {
        p.address_entry(list, true);
        if (p.failed()) break;
        p.skip_cfws();
        if (p.at_end()) break;
        if (!p.consume(',')) p.fail_here("expected ','");
    }
    if (p.failed()) return p.take_error();
    return list;
}

result<mailbox> parse_mailbox(std::string_view text) {
    parser p(text);
    if (!p.check_controls()) return p.take_error();
    address_list list;
    p.address_entry(list, false);
    if (!p.failed() && !p.at_end()) p.fail_here("expected end of mailbox");
    if (!p.failed() && list.empty()) p.fail_here("expected a mailbox");
    if (p.failed()) return p.take_error();
    return std::get<mailbox>(list.entries().front());
}

result<address> parse_addr_spec(std::string_view text) {
    parser p(text);
    if (!p.check_controls()) return p.take_error();
    p.skip_cfws();
    const std::size_t start = p.pos();
    auto words = p.read_words();
    if (!p.failed() && p.peek() != '@')
        p.fail_here(words.empty() ? "expected an address" : "expected '@'");
    std::optional<address> addr;
    if (!p.failed()) addr = p.addr_spec_after(words, start);
    if (!p.failed()) {
        p.skip_cfws();
        if (!p.at_end()) p.fail_here("expected end of address");
    }
    if (p.failed()) return p.take_error();
    return std::move(*addr);
}

std::string format_local_part(std::string_view local) {
    if (is_dot_atom(local)) return std::string(local);
    std::string out;
    out.reserve(local.size() + 2);
    out += '"';
    for (char c : local) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

bool is_plain_phrase(std::string_view name) noexcept {
    if (name.empty() || name.front() == ' ' || name.back() == ' ') return false;
    if (name.find("=?") != std::string_view::npos) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (c == ' ') {
            if (name[i + 1] == ' ') return false;
        } else if (!is_atext(c)) {
            return false;
        }
    }
    return true;
}

}  // namespace lettre::detail

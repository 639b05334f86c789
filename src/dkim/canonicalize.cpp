#include "dkim/canonicalize.hpp"

namespace lettre::dkim::detail {
namespace {

bool is_wsp(char c) noexcept {
    return c == ' ' || c == '\t';
}

/// Buffers output so the sink (a hash update) sees large pieces.
class chunked_sink {
public:
    explicit chunked_sink(const std::function<void(std::string_view)>& sink) : sink_(sink) {
        buf_.reserve(capacity);
    }
    ~chunked_sink() { flush(); }
    chunked_sink(const chunked_sink&) = delete;
    chunked_sink& operator=(const chunked_sink&) = delete;

    void put(std::string_view s) {
        if (buf_.size() + s.size() > capacity) flush();
        if (s.size() > capacity)
            sink_(s);
        else
            buf_ += s;
    }
    void flush() {
        if (!buf_.empty()) sink_(buf_);
        buf_.clear();
    }

private:
    static constexpr std::size_t capacity = 64 * 1024;
    const std::function<void(std::string_view)>& sink_;
    std::string buf_;
};

/// Calls `line(text)` for each line without its break; `last_unterminated`
/// tells whether the final line had no break.
template <class F>
void for_each_line(std::string_view body, F&& line) {
    std::size_t i = 0;
    const std::size_t n = body.size();
    while (i < n) {
        std::size_t end = i;
        while (end < n && body[end] != '\r' && body[end] != '\n') ++end;
        line(body.substr(i, end - i));
        if (end >= n) break;
        i = end + (body[end] == '\r' && end + 1 < n && body[end + 1] == '\n' ? 2 : 1);
    }
}

}  // namespace

void canonicalize_header(canonicalization c, std::string_view text, std::string& out) {
    if (c == canonicalization::simple) {
        out += text;
        return;
    }
    const std::size_t colon = text.find(':');
    std::string_view name = text.substr(0, colon);
    while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
    for (char ch : name) out += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch + 32) : ch;
    out += ':';
    // Unfold, reduce WSP runs to one SP, drop WSP at both ends of the value.
    const std::size_t start = out.size();
    bool pending_space = false;
    for (std::size_t i = colon + 1; i < text.size(); ++i) {
        const char ch = text[i];
        if (ch == '\r' || ch == '\n') continue;
        if (is_wsp(ch)) {
            pending_space = true;
            continue;
        }
        if (pending_space && out.size() > start) out += ' ';
        pending_space = false;
        out += ch;
    }
    out += "\r\n";
}

void canonicalize_body(canonicalization c, std::string_view body,
                       const std::function<void(std::string_view)>& sink) {
    chunked_sink out(sink);
    std::size_t empty_lines = 0;  // held back: trailing empty lines are dropped
    bool any = false;
    std::string line_buf;
    for_each_line(body, [&](std::string_view line) {
        std::string_view canon = line;
        if (c == canonicalization::relaxed) {
            line_buf.clear();
            bool pending_space = false;
            for (char ch : line) {
                if (is_wsp(ch)) {
                    pending_space = true;
                    continue;
                }
                if (pending_space) line_buf += ' ';
                pending_space = false;
                line_buf += ch;
            }
            canon = line_buf;
        }
        if (canon.empty()) {
            ++empty_lines;
            return;
        }
        for (; empty_lines > 0; --empty_lines) out.put("\r\n");
        out.put(canon);
        out.put("\r\n");
        any = true;
    });
    // simple: an empty body is one CRLF (RFC 6376 §3.4.3); relaxed: nothing.
    if (!any && c == canonicalization::simple) out.put("\r\n");
}

std::string canonical_body(canonicalization c, std::string_view body) {
    std::string out;
    canonicalize_body(c, body, [&](std::string_view s) { out += s; });
    return out;
}

}  // namespace lettre::dkim::detail

#include "corpus.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <utility>

namespace lettre_bench {
namespace {

// Just enough JSON for message.json: objects, arrays, strings (with escapes),
// and scalars kept as their raw text.
struct json {
    enum class kind { null, scalar, string, array, object };
    kind k = kind::null;
    std::string str;                ///< string value, or a scalar's raw text
    std::vector<json> items;        ///< array items, or object values
    std::vector<std::string> keys;  ///< object keys, parallel to items

    const json* find(std::string_view key) const {
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (keys[i] == key) return &items[i];
        }
        return nullptr;
    }
};

class json_parser {
public:
    json_parser(std::string_view text, std::string where) : s_(text), where_(std::move(where)) {}

    json parse() {
        json v = value();
        ws();
        if (i_ != s_.size()) fail("trailing characters");
        return v;
    }

private:
    [[noreturn]] void fail(const char* what) const {
        throw std::runtime_error(where_ + ": JSON " + what + " at offset " + std::to_string(i_));
    }
    void ws() {
        while (i_ < s_.size() &&
               (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
            ++i_;
    }
    char peek() {
        ws();
        if (i_ >= s_.size()) fail("unexpected end");
        return s_[i_];
    }
    void expect(char c) {
        if (peek() != c) fail("unexpected character");
        ++i_;
    }

    json value() {
        const char c = peek();
        json v;
        if (c == '{') {
            v.k = json::kind::object;
            ++i_;
            if (peek() == '}') {
                ++i_;
                return v;
            }
            for (;;) {
                if (peek() != '"') fail("expected a key");
                v.keys.push_back(string());
                expect(':');
                v.items.push_back(value());
                if (peek() == ',') {
                    ++i_;
                    continue;
                }
                expect('}');
                return v;
            }
        }
        if (c == '[') {
            v.k = json::kind::array;
            ++i_;
            if (peek() == ']') {
                ++i_;
                return v;
            }
            for (;;) {
                v.items.push_back(value());
                if (peek() == ',') {
                    ++i_;
                    continue;
                }
                expect(']');
                return v;
            }
        }
        if (c == '"') {
            v.k = json::kind::string;
            v.str = string();
            return v;
        }
        const std::size_t start = i_;
        while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']' && s_[i_] != ' ' &&
               s_[i_] != '\n' && s_[i_] != '\r' && s_[i_] != '\t')
            ++i_;
        if (i_ == start) fail("expected a value");
        v.str.assign(s_.substr(start, i_ - start));
        v.k = v.str == "null" ? json::kind::null : json::kind::scalar;
        return v;
    }

    std::uint32_t hex4() {
        if (s_.size() - i_ < 4) fail("short \\u escape");
        std::uint32_t cp = 0;
        for (int n = 0; n < 4; ++n) {
            const char h = s_[i_++];
            cp <<= 4;
            if (h >= '0' && h <= '9')
                cp |= static_cast<std::uint32_t>(h - '0');
            else if (h >= 'a' && h <= 'f')
                cp |= static_cast<std::uint32_t>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
                cp |= static_cast<std::uint32_t>(h - 'A' + 10);
            else
                fail("bad \\u escape");
        }
        return cp;
    }

    static void put_utf8(std::string& out, std::uint32_t cp) {
        auto byte = [&](std::uint32_t b) { out.push_back(static_cast<char>(b)); };
        if (cp < 0x80) {
            byte(cp);
        } else if (cp < 0x800) {
            byte(0xC0 | (cp >> 6));
            byte(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            byte(0xE0 | (cp >> 12));
            byte(0x80 | ((cp >> 6) & 0x3F));
            byte(0x80 | (cp & 0x3F));
        } else {
            byte(0xF0 | (cp >> 18));
            byte(0x80 | ((cp >> 12) & 0x3F));
            byte(0x80 | ((cp >> 6) & 0x3F));
            byte(0x80 | (cp & 0x3F));
        }
    }

    std::string string() {
        expect('"');
        std::string out;
        for (;;) {
            if (i_ >= s_.size()) fail("unterminated string");
            const char c = s_[i_++];
            if (c == '"') return out;
            if (c != '\\') {
                out.push_back(c);
                continue;
            }
            if (i_ >= s_.size()) fail("unterminated escape");
            const char e = s_[i_++];
            switch (e) {
                case '"':
                case '\\':
                case '/': out.push_back(e); break;
                case 'b': out.push_back('\b'); break;
                case 'f': out.push_back('\f'); break;
                case 'n': out.push_back('\n'); break;
                case 'r': out.push_back('\r'); break;
                case 't': out.push_back('\t'); break;
                case 'u': {
                    std::uint32_t cp = hex4();
                    if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(i_, 2) == "\\u") {
                        i_ += 2;
                        const std::uint32_t lo = hex4();
                        if (lo < 0xDC00 || lo > 0xDFFF) fail("bad surrogate pair");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    put_utf8(out, cp);
                    break;
                }
                default: fail("bad escape");
            }
        }
    }

    std::string_view s_;
    std::string where_;
    std::size_t i_ = 0;
};

// C stdio rather than istreambuf_iterator: GCC 12 at -O3 reports a false
// -Wnull-dereference inside <streambuf> for the iterator form.
std::string read_file(const std::filesystem::path& p) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(p.c_str(), "rb"), &std::fclose);
    if (!f) throw std::runtime_error("cannot open " + p.string());
    std::string data;
    char buf[65536];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) data.append(buf, n);
    if (std::ferror(f.get())) throw std::runtime_error("cannot read " + p.string());
    return data;
}

const json& member(const json& obj, std::string_view key, const std::string& where) {
    const json* v = obj.k == json::kind::object ? obj.find(key) : nullptr;
    if (v == nullptr) throw std::runtime_error(where + ": missing \"" + std::string(key) + '"');
    return *v;
}

const std::string& string_member(const json& obj, std::string_view key, const std::string& where) {
    const json& v = member(obj, key, where);
    if (v.k != json::kind::string)
        throw std::runtime_error(where + ": \"" + std::string(key) + "\" is not a string");
    return v.str;
}

person to_person(const json& obj, const std::string& where) {
    return {string_member(obj, "name", where), string_member(obj, "address", where)};
}

}  // namespace

std::filesystem::path shared_dir() {
    if (const char* env = std::getenv("LETTRE_SHARED_DIR"); env != nullptr && *env != '\0')
        return env;
    return LETTRE_SHARED_DIR;
}

message_spec load(std::string_view key, const std::filesystem::path& shared) {
    const auto corpus = shared / "corpus";
    const auto json_path = corpus / "message.json";
    const std::string where = json_path.string();
    const json root = json_parser(read_file(json_path), where).parse();
    const json& m = member(root, key, where);
    const std::string mwhere = where + " [" + std::string(key) + "]";

    message_spec spec;
    spec.key = key;
    spec.from = to_person(member(m, "from", mwhere), mwhere);
    const json& to = member(m, "to", mwhere);
    if (to.k != json::kind::array) throw std::runtime_error(mwhere + ": \"to\" is not an array");
    for (const json& t : to.items) spec.to.push_back(to_person(t, mwhere));
    spec.subject = string_member(m, "subject", mwhere);
    spec.date = string_member(m, "date", mwhere);
    spec.message_id = string_member(m, "message_id", mwhere);
    spec.text = read_file(corpus / string_member(m, "text", mwhere));
    if (const json* html = m.find("html"); html != nullptr && html->k == json::kind::string)
        spec.html = read_file(corpus / html->str);
    if (const json* a = m.find("attachment"); a != nullptr && a->k == json::kind::object) {
        attachment_spec att;
        att.filename = string_member(*a, "filename", mwhere);
        att.content_type = string_member(*a, "content_type", mwhere);
        att.bytes = read_file(corpus / string_member(*a, "path", mwhere));
        att.shared = std::make_shared<const std::string>(att.bytes);
        spec.attachment = std::move(att);
    }
    return spec;
}

lettre::message compose(const message_spec& spec) {
    lettre::message_builder b = lettre::message::builder();
    b.from(lettre::mailbox(spec.from.name, lettre::address::parse(spec.from.address)));
    for (const person& t : spec.to)
        b.to(lettre::mailbox(t.name, lettre::address::parse(t.address)));
    b.subject(spec.subject)
        .date(std::string_view(spec.date))
        .message_id(spec.message_id)
        .text(spec.text);
    if (spec.html) b.html(*spec.html);
    if (spec.attachment) {
        const attachment_spec& a = *spec.attachment;
        auto type = lettre::content_type::parse(a.content_type);
        b.attachment(a.shared ? lettre::shared_attachment(a.filename, a.shared, std::move(type))
                              : lettre::part::attachment(a.filename, a.bytes, std::move(type)));
    }
    // The builder is done: its parts move into the message, not copied again.
    return std::move(b).build();
}

}  // namespace lettre_bench

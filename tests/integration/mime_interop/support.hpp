// Helpers for the MIME interop corpus generator: a tiny JSON writer, base64,
// line-end normalization and a part + expectation pair.
#pragma once

#include <lettre/message.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace interop {

// ---------------------------------------------------------------- JSON ----

class json {
public:
    using array = std::vector<json>;
    using object = std::vector<std::pair<std::string, json>>;

    json() = default;
    json(std::nullptr_t) {}                                 // NOLINT implicit
    json(bool b) : v_(b) {}                                 // NOLINT implicit
    json(int i) : v_(static_cast<long long>(i)) {}          // NOLINT implicit
    json(std::size_t i) : v_(static_cast<long long>(i)) {}  // NOLINT implicit
    json(const char* s) : v_(std::string(s)) {}             // NOLINT implicit
    json(std::string s) : v_(std::move(s)) {}               // NOLINT implicit
    json(std::string_view s) : v_(std::string(s)) {}        // NOLINT implicit
    json(array a) : v_(std::move(a)) {}                     // NOLINT implicit
    json(object o) : v_(std::move(o)) {}                    // NOLINT implicit
    json(const std::optional<std::string>& s) {             // NOLINT implicit
        if (s) v_ = *s;
    }

    static json obj() { return json(object{}); }
    static json arr() { return json(array{}); }

    /// Sets (or replaces) a member of an object.
    json& set(std::string_view key, json value) {
        auto& o = std::get<object>(v_);
        for (auto& [k, v] : o) {
            if (k == key) {
                v = std::move(value);
                return *this;
            }
        }
        o.emplace_back(std::string(key), std::move(value));
        return *this;
    }
    /// Member of an object, created as null when missing.
    json& at(std::string_view key) {
        auto& o = std::get<object>(v_);
        for (auto& [k, v] : o)
            if (k == key) return v;
        o.emplace_back(std::string(key), json());
        return o.back().second;
    }
    json& push(json value) {
        std::get<array>(v_).push_back(std::move(value));
        return *this;
    }
    bool is_null() const noexcept { return v_.index() == 0; }
    bool is_array() const noexcept { return std::holds_alternative<array>(v_); }
    const array& items() const { return std::get<array>(v_); }
    const object& members() const { return std::get<object>(v_); }
    const std::string& str() const { return std::get<std::string>(v_); }
    const json* find(std::string_view key) const {
        for (const auto& [k, v] : std::get<object>(v_))
            if (k == key) return &v;
        return nullptr;
    }

    std::string dump() const {
        std::string out;
        dump_to(out, 0);
        out += '\n';
        return out;
    }

private:
    static void indent(std::string& out, int level) {
        out += '\n';
        out.append(static_cast<std::size_t>(level) * 2, ' ');
    }
    static void dump_string(std::string& out, std::string_view s);
    void dump_to(std::string& out, int level) const;

    std::variant<std::nullptr_t, bool, long long, std::string, array, object> v_{nullptr};
};

// ----------------------------------------------------------- utilities ----

bool valid_utf8(std::string_view s) noexcept;
std::string base64(std::string_view bytes);
/// Every line end (CRLF, bare CR, bare LF) becomes "\n".
std::string to_lf(std::string_view s);
std::string repeat(std::string_view s, std::size_t n);
std::string lower(std::string_view s);

// ------------------------------------------------------- expectations ----

/// A mailbox as a parser must read it back: display name (decoded text),
/// local part (semantic value) and domain (A-labels).
json mbox(std::string_view name, std::string_view local, std::string_view domain);
/// One entry of an address list: a bare mailbox or a group.
json single(json mailbox);
json group(std::string_view name, json::array members);

/// A MIME entity being built together with what must be read back.
struct node {
    lettre::part part;
    json expect;

    node& add(node child);
};

/// Leaf expectation. `text` leaves are compared after line-end
/// normalization and must be in canonical CRLF form on the wire.
json leaf_expect(std::string_view type, bool text, std::string_view data,
                 std::optional<std::string> disposition = std::nullopt,
                 std::optional<std::string> filename = std::nullopt,
                 std::optional<std::string> content_id = std::nullopt);

node text_part(std::string s);
node html_part(std::string s);
/// part::body with an explicit type; expected essence and params given.
node body_part(std::string bytes, std::string_view content_type);
/// part::attachment. `expected_type` is the essence a reader must see.
node attachment(std::string_view filename, std::string bytes, std::string_view expected_type,
                std::optional<std::string> explicit_type = std::nullopt);
node inline_part(std::string_view cid, std::string bytes, std::string_view type);
node multipart(lettre::part p, std::string_view essence);

/// mixed(alternative(text, related(html, inline...)), attachments...) with
/// the layers that are not needed left out: what message_builder documents.
json assemble(const std::optional<json>& text, const std::optional<json>& html,
              const std::vector<json>& inline_parts, const std::vector<json>& attachments);

/// Expectations for one message.
struct expectation {
    std::string title;
    bool smtputf8 = false;
    json addresses = json::obj();  // field name -> array of entries
    json headers = json::arr();    // {name, values, match}
    json body;                     // MIME tree
    json bcc = json::arr();        // entries given as Bcc (never written)
    json absent_headers = json(json::array{json("Bcc")});
    json absent_text = json::arr();  // byte strings that must not appear
    std::optional<json> envelope;    // explicit; derived from addresses when empty

    json& field(std::string_view name) {
        json& f = addresses.at(name);
        if (f.is_null()) f = json::arr();
        return f;
    }
    /// Header whose decoded value must equal `values` (in order).
    void header(std::string_view name, std::vector<std::string> values,
                std::string_view match = "exact");
};

}  // namespace interop

// MIME media type with parameters (RFC 2045 §5).
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lettre {

/// A MIME media type with its parameters, e.g. `text/plain; charset=utf-8`.
class LETTRE_EXPORT content_type {
public:
    using parameter = std::pair<std::string, std::string>;  ///< a parameter: name, value

    content_type() = default;

    /// Parses `type/subtype; name=value; name="quoted value"`. Type, subtype
    /// and parameter names are lower-cased; values keep their case.
    [[nodiscard]] static content_type parse(std::string_view text);
    /// parse() returning the error instead of throwing it.
    [[nodiscard]] static result<content_type> try_parse(std::string_view text);

    static content_type text_plain();    ///< text/plain; charset=utf-8
    static content_type text_html();     ///< text/html; charset=utf-8
    static content_type octet_stream();  ///< application/octet-stream

    /// Guesses from a file name's extension; application/octet-stream when
    /// unknown. Text types get charset=utf-8.
    static content_type guess_from_filename(std::string_view filename);

    const std::string& type() const noexcept { return type_; }        ///< e.g. `text`
    const std::string& subtype() const noexcept { return subtype_; }  ///< e.g. `plain`
    std::string essence() const { return type_ + '/' + subtype_; }    ///< `type/subtype`
    /// The parameters, in order.
    const std::vector<parameter>& parameters() const noexcept { return params_; }
    /// Value of a parameter (name compared case-insensitively), or empty.
    std::string_view parameter_value(std::string_view name) const noexcept;

    /// Sets or replaces a parameter. The value may hold any UTF-8 text; it
    /// is quoted or RFC 2231-encoded when formatted.
    content_type& set_parameter(std::string_view name, std::string_view value);

    bool is_text() const noexcept { return type_ == "text"; }            ///< text/*
    bool is_multipart() const noexcept { return type_ == "multipart"; }  ///< multipart/*

    /// `type/subtype; a=b` without folding or encoding (for display).
    std::string to_string() const;

    /// Equal when type, subtype and parameters (in order) are equal.
    friend bool operator==(const content_type&, const content_type&) = default;

private:
    std::string type_;
    std::string subtype_;
    std::vector<parameter> params_;
};

}  // namespace lettre

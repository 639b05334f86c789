// Builds a message with text, HTML, an inline image and an attachment, and
// prints its RFC 5322 bytes.
#include <lettre/lettre.hpp>

#include <iostream>

int main() {
    try {
        const std::string logo = "\x89PNG\r\n\x1a\n(not a real image)";
        auto msg = lettre::message::builder()
                       .from("Zoë Ångström <zoe@example.com>")
                       .to("Jürgen Müller <juergen@bücher.de>, taro@example.net")
                       .cc("undisclosed-recipients:;")
                       .reply_to("support@example.com")
                       .subject("Quarterly report — Überblick ✓")
                       .text("Hello!\nThe figures are attached.\n")
                       .html(R"(<p>Hello!</p><img src="cid:logo">)")
                       .inline_part(lettre::part::inline_body(
                           "logo", logo, lettre::content_type::parse("image/png")))
                       .attachment(lettre::part::attachment("résumé.csv", "a,b\n1,2\n"))
                       .header("X-Mailer", "lettre example")
                       .build();
        msg.write_to(std::cout);
        std::cerr << "envelope: " << msg.envelope().to().size() << " recipients\n";
    } catch (const lettre::error& e) {
        std::cerr << "error: " << e.info().message << '\n';
        return 1;
    }
}

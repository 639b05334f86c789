// Builds a message with text, HTML, an inline image and attachments (one
// from memory, one read from a file), and prints its RFC 5322 bytes.
// Usage: build_message [FILE-TO-ATTACH]
#include <lettre/lettre.hpp>  // lettre/message/files.hpp: lettre::attachment_file

#include <iostream>

int main(int argc, char** argv) {
    try {
        const std::string logo = "\x89PNG\r\n\x1a\n(not a real image)";
        // A builder in a variable; the parts are added as the program finds them.
        auto builder = lettre::message::builder();
        builder.from("Zoë Ångström <zoe@example.com>")
            .to("Jürgen Müller <juergen@bücher.de>, taro@example.net")
            .cc("undisclosed-recipients:;")
            .bcc(lettre::group{"auditors", {lettre::mailbox::parse("audit@example.org")}})
            .reply_to("support@example.com")
            .subject("Quarterly report — Überblick ✓")
            .text("Hello!\nThe figures are attached.\n")
            .html(R"(<p>Hello!</p><img src="cid:logo">)")
            .inline_part(
                lettre::part::inline_body("logo", logo, lettre::content_type::parse("image/png")))
            .attachment(lettre::part::attachment("résumé.csv", "a,b\n1,2\n"))
            .header("X-Mailer", "lettre example");
        if (argc > 1) {
            // Type guessed from the name; throws lettre::error (file_not_found,
            // file_unreadable) naming the path.
            builder.attachment(lettre::attachment_file(argv[1]));
        }
        // On an rvalue, build() moves the bodies and attachments into the
        // message instead of copying them. (A chain on a temporary,
        // lettre::message::builder().from(...)....build(), does so too.)
        const lettre::message msg = std::move(builder).build();
        msg.write_to(std::cout);
        std::cerr << "envelope: " << msg.envelope().to().size() << " recipients\n";
    } catch (const lettre::error& e) {
        std::cerr << "error: " << e.info().message << '\n';
        return 1;
    }
}

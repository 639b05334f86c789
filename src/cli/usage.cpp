#include "usage.hpp"

#include <initializer_list>
#include <string_view>

#ifndef LETTRE_CLI_VERSION
#define LETTRE_CLI_VERSION "unknown"
#endif

namespace lettre::cli {
namespace {

constexpr std::string_view global_title =
    "lettre " LETTRE_CLI_VERSION " - build, write and send email\n";

constexpr std::string_view compose_title =
    "Usage: lettre compose [OPTIONS]\n"
    "Builds a message and writes it (CRLF line ends) to stdout or --output.\n";

constexpr std::string_view send_title =
    "Usage: lettre send [OPTIONS]\n"
    "       lettre send --message FILE --envelope-from ADDR --envelope-to ADDRS\n"
    "Builds a message (or reads one) and delivers it.\n";

constexpr std::string_view synopsis =
    "Usage:\n"
    "  lettre compose [OPTIONS]   build a message and write it to stdout or a file\n"
    "  lettre send [OPTIONS]      build a message (or read one) and deliver it\n"
    "  lettre help [COMMAND]      show this help, or one command's help\n"
    "  lettre -h | --help         show this help\n"
    "  lettre --version           print the version\n";

constexpr std::string_view message_section =
    "Message options (compose and send):\n"
    "  --from MAILBOXES        From, e.g. 'Ann Example <ann@example.com>' (required)\n"
    "  --sender MAILBOX        Sender (needed when From holds several mailboxes)\n"
    "  --to ADDRESSES          To\n"
    "  --cc ADDRESSES          Cc\n"
    "  --bcc ADDRESSES         Bcc: recipients that go in the envelope only, never\n"
    "                          into the message\n"
    "  --reply-to ADDRESSES    Reply-To\n"
    "  --subject TEXT          Subject (UTF-8)\n"
    "  --text TEXT             text/plain body\n"
    "  --text-file PATH        text/plain body read from PATH ('-': stdin)\n"
    "  --html TEXT             text/html body; with a text body the two become\n"
    "                          multipart/alternative\n"
    "  --html-file PATH        text/html body read from PATH ('-': stdin)\n"
    "  --attach PATH[:TYPE]    attach a file; TYPE (e.g. application/pdf) replaces\n"
    "                          the type guessed from the extension. PATH is split\n"
    "                          at the last ':' only when what follows looks like\n"
    "                          type/subtype\n"
    "  --inline CID=PATH[:TYPE]\n"
    "                          a part the HTML body shows as <img src=\"cid:CID\">;\n"
    "                          TYPE as for --attach\n"
    "  --header 'NAME: VALUE'  an extra header field\n"
    "  --date DATE             Date, RFC 5322 form: 'Sat, 01 Nov 2025 12:00:00 +0100'\n"
    "                          (default: now)\n"
    "  --message-id ID         Message-ID, e.g. '<id@example.com>' (default: random,\n"
    "                          at the From domain)\n"
    "  --demo                  fill what is not given from a built-in demo message:\n"
    "                          From 'Lettre Demo <demo@example.com>', To 'Zoë\n"
    "                          Ångström <zoe@example.org>' (when no --to, --cc or\n"
    "                          --bcc), a UTF-8 Subject, and a text + HTML body with\n"
    "                          a small PNG attachment (when no body option is given)\n"
    "\n"
    "  --from, --to, --cc, --bcc, --reply-to, --attach, --inline and --header may\n"
    "  be repeated; address options also take comma-separated lists and groups\n"
    "  ('Team: a@example.com, b@example.com;'). A message needs --from and one of\n"
    "  --to, --cc or --bcc (send: or --envelope-to). Without any message option\n"
    "  nothing is made up: give the options, or --demo.\n";

constexpr std::string_view compose_section =
    "compose options:\n"
    "  -o, --output FILE       write the message to FILE instead of stdout ('-')\n"
    "  -h, --help              show the help of compose\n";

constexpr std::string_view send_section =
    "send options:\n"
    "  --message FILE          send FILE, a complete RFC 5322 message, as it is\n"
    "                          ('-': stdin) instead of building one; needs\n"
    "                          --envelope-from and --envelope-to (nothing is taken\n"
    "                          from its headers) and excludes the message options\n"
    "  --envelope-from ADDR    the SMTP reverse-path (MAIL FROM); '<>' is the null\n"
    "                          reverse-path. Default: Sender, else the first From\n"
    "  --envelope-to ADDRS     the SMTP recipients (RCPT TO); repeatable, comma\n"
    "                          lists allowed. Default: To + Cc + Bcc\n"
    "  --outbox DIR            deliver into DIR (default: ./outbox), which is made\n"
    "                          when missing: <id>.eml holds the message and\n"
    "                          <id>.json the envelope {\"from\": ..., \"to\": [...]}\n"
    "  -h, --help              show the help of send\n"
    "\n"
    "  send prints where the message went:\n"
    "    sent to outbox: outbox/<id>.eml (envelope outbox/<id>.json)\n";

constexpr std::string_view syntax_section =
    "'--option VALUE' and '--option=VALUE' both work; use the second form for a\n"
    "value that is itself an option name (--subject=--help).\n";

constexpr std::string_view exit_section =
    "Exit status:\n"
    "  0   success\n"
    "  64  usage error: unknown option, missing value, missing --from or recipient\n"
    "  65  invalid data: an address, header, date, Message-ID or content type, or\n"
    "      CR/LF in a header value\n"
    "  66  an input file (--text-file, --html-file, --attach, --inline, --message)\n"
    "      does not exist or cannot be read\n"
    "  1   any other failure (writing the output, delivering)\n"
    "Errors go to stderr, prefixed 'lettre: ', and name the offending value.\n";

constexpr std::string_view examples_section =
    "Examples:\n"
    "  lettre send --demo\n"
    "  lettre compose --from 'Ann <ann@example.com>' --to bob@example.org \\\n"
    "      --subject 'Report' --text-file report.txt --attach report.pdf -o report.eml\n"
    "  lettre send --message report.eml --envelope-from ann@example.com \\\n"
    "      --envelope-to bob@example.org --outbox /tmp/outbox\n";

std::string join(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (const std::string_view p : parts) {
        if (!out.empty()) out += '\n';
        out += p;
    }
    return out;
}

}  // namespace

std::string global_help() {
    return join({global_title, synopsis, compose_section, send_section, message_section,
                 syntax_section, exit_section, examples_section});
}

std::string compose_help() {
    return join({compose_title, compose_section, message_section, syntax_section, exit_section});
}

std::string send_help() {
    return join({send_title, send_section, message_section, syntax_section, exit_section});
}

std::string short_usage() {
    return "usage: lettre (compose | send | help) [OPTIONS]\n"
           "Try 'lettre --help'.\n";
}

std::string version_text() {
    return "lettre " LETTRE_CLI_VERSION "\n";
}

}  // namespace lettre::cli

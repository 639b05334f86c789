#include "usage.hpp"

#include "mx_options.hpp"

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
    "       lettre send --smtp URL [--user NAME] [OPTIONS]\n"
    "       lettre send --smtp URL --each-to FILE [--connections N] [OPTIONS]\n"
    "       lettre send --sendmail [--sendmail-program PROGRAM] [OPTIONS]\n"
    "Builds a message (or reads one) and delivers it into an outbox directory, to\n"
    "an SMTP server, straight to the recipients' MX hosts, or to the local\n"
    "sendmail program.\n";

constexpr std::string_view dkim_title =
    "Usage: lettre dkim keygen --algorithm rsa|ed25519 --domain DOMAIN\n"
    "                          --selector SELECTOR --out KEY.pem [--bits N] [--force]\n"
    "       lettre dkim sign --domain DOMAIN --selector SELECTOR --key KEY [OPTIONS]\n"
    "Makes a DKIM key and the DNS record that publishes it, or signs a message\n"
    "(RFC 6376; rsa-sha256, and ed25519-sha256 after RFC 8463).\n";

constexpr std::string_view synopsis =
    "Usage:\n"
    "  lettre compose [OPTIONS]   build a message and write it to stdout or a file\n"
    "  lettre send [OPTIONS]      build a message (or read one) and deliver it to\n"
    "                             an outbox directory, an SMTP server, the MX\n"
    "                             hosts or the local sendmail program\n"
    "  lettre dkim keygen [OPTIONS]\n"
    "                             make a DKIM key and print its DNS record\n"
    "  lettre dkim sign [OPTIONS] DKIM-sign a message read from stdin or a file\n"
    "  lettre mx DOMAIN [OPTIONS] print where mail for DOMAIN goes (MX hosts)\n"
    "  lettre help [COMMAND]      show this help, or one command's help\n"
    "  lettre -h | --help         show this help\n"
    "  lettre --version           print the versions of lettre and of the libraries\n"
    "                             it was built with and runs with\n";

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
    "  --outbox DIR            deliver into DIR (default: ./outbox, used when\n"
    "                          --smtp is not given), which is made when missing:\n"
    "                          <id>.eml holds the message and <id>.json the\n"
    "                          envelope {\"from\": ..., \"to\": [...]}\n"
    "  --sendmail              hand the message to the local mail system's\n"
    "                          sendmail program (sendmail -i -f FROM -- TO...,\n"
    "                          the message on its stdin); excludes --outbox,\n"
    "                          --smtp and --mx\n"
    "  --sendmail-program PROGRAM\n"
    "                          the program for --sendmail (default: sendmail,\n"
    "                          looked up in PATH, /usr/sbin and /usr/lib)\n"
    "  -h, --help              show the help of send\n"
    "\n"
    "  One target: --smtp URL, --mx, --sendmail or --outbox DIR. An option the\n"
    "  target has no use for (--user with --mx, --dns with --smtp, --timeout\n"
    "  with --sendmail or the outbox...) is a usage error (64), never ignored.\n"
    "\n"
    "  send prints where the message went:\n"
    "    sent to outbox: outbox/<id>.eml (envelope outbox/<id>.json)\n"
    "    handed to sendmail\n"
    "  When sendmail fails, the reason and what it printed go to stderr; the\n"
    "  exit status is 75 when it exited with 75 (EX_TEMPFAIL) or took over 2\n"
    "  minutes, else 69.\n";

constexpr std::string_view smtp_section =
    "SMTP options (send):\n"
    "  --smtp URL              deliver to an SMTP server instead of an outbox:\n"
    "                          smtps://[USER@]HOST[:PORT] (TLS from the start,\n"
    "                          port 465) or smtp://[USER@]HOST[:PORT] (STARTTLS,\n"
    "                          port 587), then ?OPTION=VALUE&...: tls=required\n"
    "                          (default), tls=opportunistic or tls=none (smtp://\n"
    "                          only; none is plaintext), auth=MECH,..., ehlo=NAME,\n"
    "                          timeout=SECONDS, pipelining=false, chunking=true,\n"
    "                          ca_file=PATH, plaintext_auth=dangerous (AUTH\n"
    "                          without TLS), certificates=dangerous-accept-invalid.\n"
    "                          Excludes --outbox. A password in the URL is refused\n"
    "                          (other users could read it in the process list)\n"
    "  --user NAME             log in (AUTH) as NAME; replaces a user in the URL\n"
    "  --password-file FILE    the password (or token): the first line of FILE,\n"
    "                          without its line end ('-': stdin), at most 4 KiB.\n"
    "                          Without it the LETTRE_PASSWORD environment variable\n"
    "                          is used; one of the two is needed with --user\n"
    "  --auth MECH             the AUTH mechanisms to try, in order: SCRAM-SHA-256,\n"
    "                          OAUTHBEARER, XOAUTH2, PLAIN, LOGIN, CRAM-MD5;\n"
    "                          repeatable, comma lists allowed. With only XOAUTH2\n"
    "                          and/or OAUTHBEARER the secret is an OAuth 2.0 access\n"
    "                          token. Default: the URL's auth=, else SCRAM-SHA-256,\n"
    "                          PLAIN, LOGIN (CRAM-MD5 only when named)\n"
    "  --ca FILE               trust the CA certificates (PEM) in FILE instead of\n"
    "                          the system store; the server's name is still checked.\n"
    "                          At most 4 MiB (ca_file= too)\n"
    "  --timeout SECONDS       the deadline of every step (resolve, connect, TLS,\n"
    "                          greeting, EHLO, AUTH, each command's reply, the\n"
    "                          data), counted from the step's start: a server that\n"
    "                          trickles its reply does not extend it; default: 30 s\n"
    "                          to connect, 5 min per command, 10 min after the data\n"
    "  --ehlo NAME             the name sent with EHLO (default: this host's name):\n"
    "                          a domain (letters, digits, hyphens, dots) or an\n"
    "                          address literal such as [192.0.2.1] or\n"
    "                          [IPv6:2001:db8::1]; checked before connecting (65),\n"
    "                          ehlo= in the URL too (64)\n"
    "  --trace                 show the SMTP dialogue on stderr, 'C: ' lines sent\n"
    "                          and 'S: ' lines received ('S: TLS <version>\n"
    "                          <cipher>' after a handshake); AUTH payloads are\n"
    "                          shown as <redacted>, the message (after DATA or a\n"
    "                          BDAT line) as its size\n"
    "  --notify never|success,failure,delay\n"
    "                          DSN (RFC 3461): when the servers should report\n"
    "                          back (NOTIFY=)\n"
    "  --ret full|hdrs         DSN: a report holds the whole message or its header\n"
    "  --envid ID              DSN: an id for this message in reports (ENVID=)\n"
    "  --requiretls            REQUIRETLS (RFC 8689): every server on the way must\n"
    "                          use TLS; the send fails when this server does not\n"
    "                          offer it. Needs smtps:// or tls=required\n"
    "\n"
    "  These options need --smtp; --ca, --timeout, --ehlo, --trace and the DSN\n"
    "  options work with --mx too (each MX session; trace lines start with the\n"
    "  MX host and address). --user, --password-file, --auth and --requiretls\n"
    "  are refused (64) with --mx, all of them with --sendmail or the outbox.\n"
    "  --user, --auth, --ca, --timeout and --ehlo take precedence over the URL's\n"
    "  user, auth=, ca_file=, timeout= and ehlo=. The DSN options are left out\n"
    "  when the server does not offer DSN.\n"
    "\n"
    "  send --smtp prints one line per recipient and the server's final reply:\n"
    "    accepted  bob@example.org  250 2.1.5 OK\n"
    "    refused  carol@example.org  550 5.1.1 No such user\n"
    "    queued: 250 2.0.0 Ok: queued as 4F2A\n"
    "  A recipient is 'accepted' only when the message was queued; when the\n"
    "  server took a recipient and then refused the message, the line says so:\n"
    "    failed  bob@example.org  rejected at end of data: 550 5.7.1 spam\n"
    "  ('unknown' when no reply came after the data). When the send fails, the\n"
    "  reason (with the server's reply) goes to stderr. Control bytes a server\n"
    "  sends are shown escaped (\\xNN, \\u00NN), never passed to the terminal.\n";

constexpr std::string_view each_to_section =
    "Bulk options (send --smtp):\n"
    "  --each-to FILE          send one copy of the message to each address in FILE\n"
    "                          ('-': stdin): one address or mailbox per line; blank\n"
    "                          lines and lines starting with '#' are skipped; a\n"
    "                          line that is not an address is reported on stderr\n"
    "                          (with its line number and why) and skipped; a line\n"
    "                          over 4 KiB stops the reading (65). Each\n"
    "                          copy's envelope has that one recipient (RCPT TO).\n"
    "                          With --to, --cc or --bcc the message is built once\n"
    "                          and every copy carries those headers; without them\n"
    "                          each copy is built with To: the line's address.\n"
    "                          Needs --smtp; excludes --envelope-to. With --message\n"
    "                          FILE only --envelope-from is needed\n"
    "  --connections N         connections to the server at once, 1 to 1000\n"
    "                          (default 4); at most 2 x N sends are in flight, so\n"
    "                          FILE is read as the sends go\n"
    "  --failed-out FILE       write every address that was not sent, one per line:\n"
    "                          ADDRESS<TAB>the server's reply or the reason\n"
    "                          (invalid lines: LINE<TAB>line N: why)\n"
    "\n"
    "  On a terminal a progress bar (sent, failed, msg/s) is drawn on stderr, at\n"
    "  most 10 times a second; each failure is reported on stderr. At the end\n"
    "  stdout gets one line, where failed counts refused or undeliverable\n"
    "  addresses and invalid lines:\n"
    "    sent 998, failed 2, in 1.52 s (656.6 msg/s)\n"
    "  Exit status: 0 when every line was sent; 69 when a failure was permanent\n"
    "  (5xx) or of unknown outcome; else 65 when a line was invalid; else 75\n"
    "  (every failure was temporary).\n";

constexpr std::string_view dkim_message_section =
    "DKIM options (compose and send):\n"
    "  --dkim-domain DOMAIN    sign the message with DKIM for DOMAIN (d=); once for\n"
    "                          every key, or once per --dkim-key\n"
    "  --dkim-selector SELECTOR\n"
    "                          the selector (s=) of the key; one per --dkim-key\n"
    "  --dkim-key FILE         the private key, as for 'dkim sign --key'. Repeat\n"
    "                          --dkim-key and --dkim-selector (paired in order) to\n"
    "                          sign twice, e.g. RSA + Ed25519\n"
    "\n"
    "  The signature is relaxed/relaxed over the default header list, t= now.\n"
    "  send --message FILE: FILE's line ends are made CRLF before it is signed.\n";

constexpr std::string_view keygen_section =
    "dkim keygen options:\n"
    "  --algorithm ALG         rsa (rsa-sha256) or ed25519 (ed25519-sha256)\n"
    "                          (required)\n"
    "  --bits N                RSA key size, 1024 to 16384 (default 2048); under\n"
    "                          2048 draws a warning (RFC 8301), under 1024 is\n"
    "                          refused\n"
    "  --domain DOMAIN         the signing domain, d= (required)\n"
    "  --selector SELECTOR     the selector, s= (required)\n"
    "  --out FILE              write the private key (PKCS#8 PEM) to FILE, created\n"
    "                          with mode 0600 (required). An existing FILE is\n"
    "                          never replaced unless --force is given\n"
    "  --force                 replace an existing FILE (atomically)\n"
    "  -h, --help              show this help\n"
    "\n"
    "  keygen prints the TXT record to publish: a zone-file line, then the\n"
    "  record name and the record text, each alone on a line for pasting into a\n"
    "  DNS provider's form.\n";

constexpr std::string_view sign_section =
    "dkim sign options:\n"
    "  --key FILE              the private key: PEM (PKCS#1 or PKCS#8), DER, or a\n"
    "                          base64 Ed25519 seed, at most 64 KiB (required)\n"
    "  --selector SELECTOR     the selector, s=; one per --key (required)\n"
    "  --domain DOMAIN         the signing domain, d=; once for every key, or once\n"
    "                          per --key (required)\n"
    "  --canon HEADER/BODY     canonicalization, each simple or relaxed; one word\n"
    "                          means both (unlike the c= tag, where 'relaxed'\n"
    "                          alone is relaxed/simple). Default relaxed/relaxed\n"
    "  --headers NAME:NAME...  the header fields to sign, e.g. from:to:subject\n"
    "                          (default: From, Reply-To, Subject, Date, To, Cc,\n"
    "                          Message-ID, In-Reply-To, References, MIME-Version,\n"
    "                          Content-Type, Content-Transfer-Encoding,\n"
    "                          List-Unsubscribe(-Post) when present). From is\n"
    "                          always signed; From, Subject, Date, To, Cc and\n"
    "                          Reply-To are signed once more than they occur, so\n"
    "                          that none can be added later. A name is printable\n"
    "                          ASCII without spaces, ':' or ';' (64 otherwise)\n"
    "  --identity ID           the agent or user, i=, e.g. @mail.example.com;\n"
    "                          once for every key, or once per --key\n"
    "  --time UNIX             the signing time, t=, in seconds since 1970\n"
    "                          (default: now)\n"
    "  --expire SECONDS        x=: the signature expires SECONDS after t=\n"
    "  --in FILE               read the message from FILE (default: stdin, '-')\n"
    "  -o, --output FILE       write the signed message to FILE instead of stdout\n"
    "  -h, --help              show this help\n"
    "\n"
    "  Several --key/--selector pairs (matched in order) make several signatures\n"
    "  in one pass, e.g. RSA + Ed25519 as RFC 8463 recommends; the first pair's\n"
    "  DKIM-Signature comes first. Every line end (CRLF, bare LF or bare CR) is\n"
    "  written as CRLF before signing, and the output has CRLF line ends: DKIM\n"
    "  signs the message as SMTP sends it, and a file with LF line ends would\n"
    "  not hold the bytes its signature covers.\n";

constexpr std::string_view syntax_section =
    "'--option VALUE' and '--option=VALUE' both work; use the second form for a\n"
    "value that is itself an option name (--subject=--help).\n";

constexpr std::string_view exit_section =
    "Exit status:\n"
    "  0   success\n"
    "  64  usage error: unknown option, missing value, missing --from or recipient,\n"
    "      keys and selectors that do not pair up, a bad --smtp URL or option, an\n"
    "      option the chosen target does not use, a bad --headers name\n"
    "  65  invalid data: an address, header, date, Message-ID or content type, or\n"
    "      CR/LF in a header value; a DKIM key that is malformed, unsupported or\n"
    "      too small (under 1024 bits); a message to sign without the empty line\n"
    "      after its header, or without From; an empty password, a bad --ehlo\n"
    "      name or --envid; an input over its limit (--password-file line 4 KiB,\n"
    "      key 64 KiB, --ca 4 MiB, --each-to line 4 KiB)\n"
    "  66  an input file (--text-file, --html-file, --attach, --inline, --message,\n"
    "      --key, --dkim-key, --in, --password-file, --ca) does not exist or cannot\n"
    "      be read\n"
    "  69  send --smtp: a recipient or the message was refused for good (5xx), or\n"
    "      TLS, AUTH or the connection failed for a reason a retry will not fix;\n"
    "      also when the outcome is unknown (no reply after the message was sent:\n"
    "      the server may have it, and sending again may deliver it twice)\n"
    "  75  send --smtp: every failure was temporary (4xx replies, a timeout, a\n"
    "      refused or dropped connection): try again later\n"
    "  1   any other failure (writing the output or the key file, a key file\n"
    "      that exists without --force, delivering to the outbox)\n"
    "Errors go to stderr, prefixed 'lettre: ', and name the offending value.\n";

constexpr std::string_view examples_section =
    "Examples:\n"
    "  lettre send --demo\n"
    "  lettre compose --from 'Ann <ann@example.com>' --to bob@example.org \\\n"
    "      --subject 'Report' --text-file report.txt --attach report.pdf -o report.eml\n"
    "  lettre send --message report.eml --envelope-from ann@example.com \\\n"
    "      --envelope-to bob@example.org --outbox /tmp/outbox\n"
    "  lettre dkim keygen --algorithm ed25519 --domain example.com \\\n"
    "      --selector ed1 --out ed1.pem\n"
    "  lettre dkim sign --domain example.com --key rsa1.pem --selector rsa1 \\\n"
    "      --key ed1.pem --selector ed1 --in report.eml -o signed.eml\n"
    "  lettre send --demo --dkim-domain example.com --dkim-selector ed1 \\\n"
    "      --dkim-key ed1.pem\n"
    "  LETTRE_PASSWORD=... lettre send --smtp smtp://smtp.example.com \\\n"
    "      --user ann@example.com --from ann@example.com --to bob@example.org \\\n"
    "      --subject Hi --text 'Hello'\n"
    "  lettre send --smtp 'smtps://mail.example.com?timeout=20' --user ann \\\n"
    "      --password-file ~/.smtp-pass --message report.eml \\\n"
    "      --envelope-from ann@example.com --envelope-to bob@example.org\n"
    "  lettre send --smtp smtp://smtp.example.com --user ann@example.com \\\n"
    "      --from ann@example.com --subject News --text-file news.txt \\\n"
    "      --each-to subscribers.txt --connections 10 --failed-out failed.txt\n";

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
    return join({global_title, synopsis, compose_section, send_section, smtp_section,
                 each_to_section, mx_send_section(), message_section, dkim_message_section,
                 keygen_section, sign_section, syntax_section, exit_section, examples_section});
}

std::string compose_help() {
    return join({compose_title, compose_section, message_section, dkim_message_section,
                 syntax_section, exit_section});
}

std::string send_help() {
    return join({send_title, send_section, smtp_section, each_to_section, mx_send_section(),
                 message_section, dkim_message_section, syntax_section, exit_section});
}

std::string dkim_help() {
    return join({dkim_title, keygen_section, sign_section, syntax_section, exit_section});
}

std::string short_usage() {
    return "usage: lettre (compose | send | dkim keygen | dkim sign | mx | help) [OPTIONS]\n"
           "Try 'lettre --help'.\n";
}

}  // namespace lettre::cli

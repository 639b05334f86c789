#include "mx_peers.hpp"

#include <lettre/message/message_builder.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#ifndef LETTRE_PYTHON
#error "LETTRE_PYTHON must be defined"
#endif
#ifndef LETTRE_MX_PEERS_DIR
#error "LETTRE_MX_PEERS_DIR must be defined"
#endif

namespace mx_it {

using namespace std::chrono_literals;

namespace {

const std::vector<std::string>& records() {
    static const std::vector<std::string> r = {
        "--mx-host=pref.test,mx-a.pref.test,10",
        "--mx-host=pref.test,mx-b.pref.test,20",
        "--host-record=mx-a.pref.test,127.0.0.2",
        "--host-record=mx-b.pref.test,127.0.0.3",
        "--mx-host=ties.test,t1.ties.test,10",
        "--mx-host=ties.test,t2.ties.test,10",
        "--host-record=t1.ties.test,127.0.0.4",
        "--host-record=t2.ties.test,127.0.0.5",
        "--mx-host=fallback4xx.test,busy.fallback4xx.test,10",
        "--mx-host=fallback4xx.test,good.test,20",
        "--host-record=busy.fallback4xx.test,127.0.0.6",
        "--host-record=good.test,127.0.0.7",
        "--mx-host=conn-refused.test,dead.test,10",
        "--mx-host=conn-refused.test,good.test,20",
        "--host-record=dead.test,127.0.0.8",
        "--mx-host=final5xx.test,picky.final5xx.test,10",
        "--mx-host=final5xx.test,mx-b.pref.test,20",
        "--host-record=picky.final5xx.test,127.0.0.9",
        "--dns-rr=nullmx.test,15,000000",
        "--host-record=nullmx.test,127.0.0.7",
        "--host-record=implicit.test,127.0.0.7",
        "--mx-host=down.test,dead.test,10",
        "--mx-host=down.test,greeting421.test,20",
        "--host-record=greeting421.test,127.0.0.10",
        "--mx-host=tls.test,mx-tls.tls.test,10",
        "--host-record=mx-tls.tls.test,127.0.0.11",
        "--mx-host=notls.test,plain.notls.test,10",
        "--host-record=plain.notls.test,127.0.0.12",
        "--mx-host=datafail.test,datafail-mx.test,10",
        "--mx-host=datafail.test,good.test,20",
        "--host-record=datafail-mx.test,127.0.0.13",
        "--mx-host=noaddr.test,ghost.noaddr.test,10",
        "--mx-host=multi.test,multi-mx.test,10",
        "--host-record=multi-mx.test,127.0.0.8",
        "--host-record=multi-mx.test,127.0.0.7",
        "--mx-host=xn--bcher-kva.test,mx-a.pref.test,10",
        "--mx-host=stall.test,stall-mx.test,10",
        "--host-record=stall-mx.test,127.0.0.14",
        "--mx-host=badtls.test,broken-tls.badtls.test,10",
        "--host-record=broken-tls.badtls.test,127.0.0.15",
    };
    return r;
}

struct holder {
    peers p;
    ~holder() {
        if (p.smtp) p.smtp->stop();
        std::error_code ec;
        if (!p.outdir.empty()) fs::remove_all(p.outdir, ec);
    }
};

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

const peers& shared_peers() {
    static holder x;
    if (x.p.smtp) return x.p;
    std::string tmpl = (fs::temp_directory_path() / "lettre-mx-it-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    x.p.outdir = tmpl;
    x.p.dns = dns_test::start_dnsmasq(records());
    x.p.scripted = dns_test::start_scripted_dns();
    std::vector<std::string> argv = {
        LETTRE_PYTHON, std::string(LETTRE_MX_PEERS_DIR) + "/mx_smtp_server.py",
        "--outdir",    x.p.outdir.string(),
        "--tls-name",  "mx-tls.tls.test"};
    for (const char* host :
         {"127.0.0.2=accept", "127.0.0.3=accept", "127.0.0.4=accept", "127.0.0.5=accept",
          "127.0.0.6=tempfail_rcpt", "127.0.0.7=accept", "127.0.0.9=reject_user=bad",
          "127.0.0.10=greet421", "127.0.0.11=starttls", "127.0.0.12=accept",
          "127.0.0.13=tempfail_data", "127.0.0.14=stall", "127.0.0.15=starttls,badtls"}) {
        argv.emplace_back("--host");
        argv.emplace_back(host);
    }
    x.p.smtp = std::make_unique<dns_test::child>(dns_test::child::start(argv));
    x.p.smtp_port = x.p.smtp->wait_ready(30s).at("smtp");
    if (x.p.smtp_port == 0) throw std::runtime_error("mx_smtp_server.py did not start");
    return x.p;
}

std::vector<delivered_message> peers::messages(const std::string& ip) const {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(outdir / ip, ec))
        if (e.path().extension() == ".txt") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::vector<delivered_message> out;
    for (const auto& f : files) {
        delivered_message m;
        std::istringstream in(read_all(f));
        std::string line;
        while (std::getline(in, line)) {
            if (line == "data") {
                std::ostringstream rest;
                rest << in.rdbuf();
                m.data = rest.str();
                break;
            }
            const auto sp = line.find(' ');
            const std::string key = line.substr(0, sp);
            const std::string value = sp == std::string::npos ? "" : line.substr(sp + 1);
            if (key == "from")
                m.from = value;
            else if (key == "rcpt")
                m.rcpts.push_back(value);
            else if (key == "tls")
                m.tls = value == "1";
            else if (key == "reused")
                m.reused = value == "1";
            else if (key == "helo")
                m.helo = value;
        }
        out.push_back(std::move(m));
    }
    return out;
}

int peers::connections(const std::string& ip) const {
    std::ifstream in(outdir / (ip + ".connections"));
    int n = 0;
    std::string line;
    while (std::getline(in, line)) ++n;
    return n;
}

lettre::mx::config test_config() {
    const auto& p = shared_peers();
    lettre::mx::config c;
    c.port = p.smtp_port;
    c.dns.servers = {p.dns->server()};
    c.dns.timeout = std::chrono::milliseconds(500);
    c.dns.tries = 2;
    c.hello_name = "client.test";
    c.allow_local_targets = true;  // the peers are on 127.0.0.x
    c.timeouts = lettre::smtp::timeouts::all(std::chrono::seconds(5));
    return c;
}

lettre::message message_to(const std::vector<std::string>& to, const std::string& subject) {
    auto b = lettre::message::builder().from("Sender <sender@origin.test>").subject(subject);
    for (const auto& t : to) b.to(t);
    return b.text("Hello MX.\n.dot line\n").build();
}

run_result run_lettre(const std::string& args) {
    const std::string cmd = std::string(LETTRE_CLI) + " " + args + " 2>&1";
    run_result r;
    const auto start = std::chrono::steady_clock::now();
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    const int st = pclose(p);
    r.took = std::chrono::steady_clock::now() - start;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

}  // namespace mx_it

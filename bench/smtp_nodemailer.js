#!/usr/bin/env node
// Sends one ready-made message N times with Nodemailer's SMTP transport and
// prints one JSON line (the same shape bench/smtp_bench.cpp prints; see
// bench/smtp_compare.sh).
//
//   node smtp_nodemailer.js <message.eml> <N> --port P [--host H]
//        [--mode one-connection|per-message] [--api sendmail|connection]
//        [--from ADDR] [--to ADDR]...
//
// The message (CRLF line ends, as lettre formats it) is read once before
// anything is timed; the envelope is given explicitly. Two APIs:
//
//   sendmail (default)  the transport users call: createTransport(...) and
//       sendMail({envelope, raw}). `raw` means Nodemailer does not compose,
//       but the message still goes through its MailMessage / MimeNode
//       stream plumbing, then the SMTP connection (line-end normalization
//       and dot-stuffing).
//       one-connection: a pooled transport with maxConnections: 1 and
//         maxMessages: Infinity (one session, N transactions, close()).
//       per-message: the plain (non-pooled) transport, a new connection
//         for every sendMail().
//   connection  the lower-level SMTPConnection
//       (nodemailer/lib/smtp-connection), the counterpart of the internal
//       connection class lettre_smtp_bench drives: connect(), N x
//       send(envelope, buffer), quit(); per-message: a new SMTPConnection
//       (connect, send, quit) for every message.
//
// Plaintext only (secure: false, ignoreTLS: true): smtp-sink offers no TLS.
// Each send is awaited before the next one starts. "seconds" and
// "cpu_seconds" cover the send loop only, as in lettre_smtp_bench:
// per-message, all N sends; one-connection, from the first message's reply
// to the last one's (N - 1 messages, "loop_count"), so that start-up and
// opening the session are outside. The comparison script also measures the
// whole process.
'use strict';

const fs = require('fs');
const nodemailer = require('nodemailer');
const SMTPConnection = require('nodemailer/lib/smtp-connection');

function usage() {
    process.stderr.write(
        'usage: smtp_nodemailer.js <message.eml> <N> --port P [--host H]\n' +
            '       [--mode one-connection|per-message] [--api sendmail|connection]\n' +
            '       [--from ADDR] [--to ADDR]...\n'
    );
    process.exit(2);
}

const args = process.argv.slice(2);
if (args.length < 2) usage();
const file = args[0];
const count = Number(args[1]);
if (!Number.isInteger(count) || count <= 0) usage();
let host = '127.0.0.1';
let port = 0;
let mode = 'one-connection';
let from = 'sender@example.com';
const to = [];
let api = 'sendmail';
for (let i = 2; i < args.length; i++) {
    const a = args[i];
    const v = args[i + 1];
    if (v === undefined) usage();
    if (a === '--port') port = Number(v);
    else if (a === '--host') host = v;
    else if (a === '--mode') mode = v;
    else if (a === '--from') from = v;
    else if (a === '--to') to.push(v);
    else if (a === '--api') api = v;
    else usage();
    i++;
}
if (!(port > 0 && port < 65536)) usage();
if (mode !== 'one-connection' && mode !== 'per-message') usage();
if (api !== 'sendmail' && api !== 'connection') usage();
if (to.length === 0) to.push('rcpt@example.org');

const raw = fs.readFileSync(file);
const connectionOptions = { host, port, secure: false, ignoreTLS: true, name: 'localhost' };
const envelope = { from, to };

// The sendMail() API.
function makeTransport() {
    const transport = nodemailer.createTransport({
        ...connectionOptions,
        pool: mode === 'one-connection',
        maxConnections: 1,
        maxMessages: Infinity,
        disableFileAccess: true,
        disableUrlAccess: true
    });
    return {
        send: () => transport.sendMail({ envelope, raw }),
        close: () => transport.close()
    };
}

// The SMTPConnection API.
function connect() {
    const conn = new SMTPConnection(connectionOptions);
    return new Promise((resolve, reject) => {
        conn.once('error', reject);
        conn.connect(() => {
            conn.removeListener('error', reject);
            resolve(conn);
        });
    });
}
function sendOn(conn) {
    return new Promise((resolve, reject) => {
        conn.send(envelope, raw, (err, info) => (err ? reject(err) : resolve(info)));
    });
}
function quit(conn) {
    return new Promise(resolve => {
        conn.once('end', resolve);
        conn.quit();
    });
}
async function makeConnectionSender() {
    if (mode === 'per-message') {
        return {
            send: async () => {
                const conn = await connect();
                const info = await sendOn(conn);
                await quit(conn);
                return info;
            },
            close: () => {}
        };
    }
    const conn = await connect();
    return { send: () => sendOn(conn), close: () => quit(conn) };
}

function cpuSeconds(u) {
    return (u.user + u.system) / 1e6;
}

let sender = null;

async function main() {
    // One-connection, SMTPConnection: the session is opened before timing,
    // as lettre_smtp_bench does; the pooled transport connects lazily on
    // the first sendMail(), inside the loop.
    sender = api === 'sendmail' ? makeTransport() : await makeConnectionSender();
    const skipFirst = mode === 'one-connection';
    let sent = 0;
    let cpu0 = process.cpuUsage();
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < count; i++) {
        const info = await sender.send();
        if (!/^250[ -]/.test(info.response || '')) {
            throw new Error(`message ${i + 1}: unexpected reply ${info.response}`);
        }
        sent++;
        if (skipFirst && sent === 1) {
            cpu0 = process.cpuUsage();
            t0 = process.hrtime.bigint();
        }
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = cpuSeconds(process.cpuUsage(cpu0));
    const loopCount = Math.max(1, skipFirst ? sent - 1 : sent);
    await sender.close();
    const out = {
        impl: api === 'sendmail' ? 'nodemailer' : 'nodemailer-conn',
        api,
        version: require('nodemailer/package.json').version,
        runtime: `Node ${process.versions.node}`,
        mode,
        pipelining: true,
        message_file: file,
        bytes: raw.length,
        count: sent,
        loop_count: skipFirst ? sent - 1 : sent,
        seconds: Number(seconds.toFixed(6)),
        cpu_seconds: Number(cpu.toFixed(6)),
        msg_per_s: Number((loopCount / seconds).toFixed(1)),
        cpu_us_per_msg: Number(((cpu * 1e6) / loopCount).toFixed(2))
    };
    process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch(err => {
    process.stderr.write(`smtp_nodemailer.js: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
});

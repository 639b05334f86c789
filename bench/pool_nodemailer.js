#!/usr/bin/env node
// Sends one ready-made message N times through Nodemailer's pooled SMTP
// transport with C connections and prints one JSON line (the shape
// bench/pool_bench.cpp prints; see bench/pool_compare.sh).
//
//   node pool_nodemailer.js <message.eml> <N> --port P [--host H]
//        [--connections C] [--in-flight K] [--from ADDR] [--to ADDR]...
//
// createTransport({pool: true, maxConnections: C, maxMessages: Infinity})
// and sendMail({envelope, raw}) with at most K (default 2 x C) sends in
// flight, as lettre_pool_bench does: K workers, each awaiting its sendMail()
// before it starts the next. Plaintext (smtp-sink offers no TLS).
// "seconds" and "cpu_seconds" cover the sends only.
'use strict';

const fs = require('fs');
const nodemailer = require('nodemailer');

function usage() {
    process.stderr.write(
        'usage: pool_nodemailer.js <message.eml> <N> --port P [--host H] [--connections C]\n' +
            '       [--in-flight K] [--from ADDR] [--to ADDR]...\n'
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
let connections = 1;
let inFlight = 0;
let from = 'sender@example.com';
const to = [];
for (let i = 2; i < args.length; i++) {
    const a = args[i];
    const v = args[i + 1];
    if (v === undefined) usage();
    if (a === '--port') port = Number(v);
    else if (a === '--host') host = v;
    else if (a === '--connections') connections = Number(v);
    else if (a === '--in-flight') inFlight = Number(v);
    else if (a === '--from') from = v;
    else if (a === '--to') to.push(v);
    else usage();
    i++;
}
if (!(port > 0 && port < 65536) || !(connections >= 1)) usage();
if (!(inFlight > 0)) inFlight = 2 * connections;
if (to.length === 0) to.push('rcpt@example.org');

const raw = fs.readFileSync(file);
const envelope = { from, to };

async function main() {
    const transport = nodemailer.createTransport({
        host,
        port,
        secure: false,
        ignoreTLS: true,
        name: 'localhost',
        pool: true,
        maxConnections: connections,
        maxMessages: Infinity,
        disableFileAccess: true,
        disableUrlAccess: true
    });
    let started = 0;
    let sent = 0;
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    async function worker() {
        while (started < count) {
            started++;
            const info = await transport.sendMail({ envelope, raw });
            if (!/^250[ -]/.test(info.response || '')) {
                throw new Error(`unexpected reply ${info.response}`);
            }
            sent++;
        }
    }
    const workers = [];
    for (let k = 0; k < Math.min(inFlight, count); k++) workers.push(worker());
    await Promise.all(workers);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const u = process.cpuUsage(cpu0);
    const cpu = (u.user + u.system) / 1e6;
    transport.close();
    const out = {
        impl: 'nodemailer-pool',
        version: require('nodemailer/package.json').version,
        runtime: `Node ${process.versions.node}`,
        connections,
        in_flight: inFlight,
        bytes: raw.length,
        count: sent,
        seconds: Number(seconds.toFixed(6)),
        cpu_seconds: Number(cpu.toFixed(6)),
        msg_per_s: Number((sent / seconds).toFixed(1)),
        cpu_us_per_msg: Number(((cpu * 1e6) / sent).toFixed(2))
    };
    process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch(err => {
    process.stderr.write(`pool_nodemailer.js: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
});

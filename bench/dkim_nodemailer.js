#!/usr/bin/env node
// Signs the corpus messages with Nodemailer's DKIM signer
// (nodemailer/lib/dkim, the one its transports run for the `dkim` option)
// and prints the rate as one JSON line. bench/dkim_speed.sh runs it beside
// lettre's DKIM benchmark.
//
//   node dkim_nodemailer.js <small|typical> <rsa2048|ed25519> [seconds=2] [--print]
//
// The message (../shared/corpus/<msg>.eml, or $LETTRE_SHARED_DIR/corpus)
// and the key (corpus/keys/dkim_<key>.pem) are read once, outside the timed
// loop; the key is handed over as a parsed KeyObject (Nodemailer also takes
// the PEM text, which Node would parse again for every signature), domain
// example.com, selector = the key name. Nodemailer signs relaxed/relaxed
// with its default header list, without t= and without oversigning. Each
// iteration signs the message bytes (DKIM#sign(Buffer)) and reads the
// signed message into one Buffer, awaiting it before the next.
//
// Nodemailer's signer is RSA only (crypto.createSign('RSA-SHA256')): with
// the Ed25519 key it emits no signature. For `ed25519` the script checks
// that this is still so and prints {"supported": false}.
// --print writes one signed message to stdout instead of timing.
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const DKIM = require('nodemailer/lib/dkim');

function usage() {
    process.stderr.write(
        'usage: dkim_nodemailer.js <small|typical> <rsa2048|ed25519> [seconds] [--print]\n'
    );
    process.exit(2);
}

const args = process.argv.slice(2);
const print = args.includes('--print');
const positional = args.filter(a => a !== '--print');
const [which, keyName] = positional;
if (which !== 'small' && which !== 'typical') usage();
if (keyName !== 'rsa2048' && keyName !== 'ed25519') usage();
const seconds = positional[2] !== undefined ? Number(positional[2]) : 2;
if (!(seconds > 0)) usage();

const sharedDir = process.env.LETTRE_SHARED_DIR || path.join(__dirname, '..', '..', 'shared');
const corpusDir = path.join(sharedDir, 'corpus');
const message = fs.readFileSync(path.join(corpusDir, which + '.eml'));
const privateKey = crypto.createPrivateKey(
    fs.readFileSync(path.join(corpusDir, 'keys', 'dkim_' + keyName + '.pem'))
);

const dkim = new DKIM({ domainName: 'example.com', keySelector: keyName, privateKey });

function signOnce() {
    return new Promise((resolve, reject) => {
        const out = dkim.sign(message);
        const chunks = [];
        out.on('data', c => chunks.push(c));
        out.on('error', reject);
        out.on('end', () => resolve(Buffer.concat(chunks)));
    });
}

async function main() {
    const version = require('nodemailer/package.json').version;
    const first = await signOnce();
    const signed = first.subarray(0, 15).toString('latin1') === 'DKIM-Signature:';
    if (print) {
        process.stdout.write(first);
        return;
    }
    const base = {
        impl: 'nodemailer',
        version,
        runtime: 'node ' + process.version,
        message: which,
        key: keyName
    };
    if (!signed) {
        process.stdout.write(JSON.stringify({ ...base, supported: false }) + '\n');
        return;
    }
    // Warm-up, untimed: let V8 tier up the hot paths.
    const warmSeconds = Math.max(0.5, seconds * 0.25);
    const warmEnd = process.hrtime.bigint() + BigInt(Math.round(warmSeconds * 1e9));
    while (process.hrtime.bigint() < warmEnd) await signOnce();

    let n = 0;
    let bytes = 0;
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    const end = start + BigInt(Math.round(seconds * 1e9));
    let now = start;
    while (now < end) {
        bytes = (await signOnce()).length;
        ++n;
        now = process.hrtime.bigint();
    }
    const elapsed = Number(now - start) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6; // all threads (GC included)
    process.stdout.write(
        JSON.stringify({
            ...base,
            supported: true,
            iterations: n,
            seconds: elapsed,
            sig_per_s: n / elapsed,
            cpu_seconds: cpuSeconds,
            sig_per_cpu_s: n / cpuSeconds,
            bytes
        }) + '\n'
    );
}

main().catch(err => {
    process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
    process.exit(1);
});

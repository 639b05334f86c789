#!/usr/bin/env node
// Composes and formats the corpus messages with Nodemailer's MailComposer
// (the same work as bench/compose_rate.cpp does with lettre) and prints the
// rate as one JSON line.
//
//   node compose_nodemailer.js <small|typical> [seconds=2] [--print]
//
// The corpus (../shared/corpus, or $LETTRE_SHARED_DIR/corpus) is read once,
// outside the timed loop. After an untimed warm-up (max(0.5 s, 25% of the
// run)), each iteration builds a fresh MailComposer from the message
// description, compiles the MIME tree and builds the full message into one
// Buffer (compile().build()), awaiting each build before the next.
// --print writes one message to stdout instead of timing.
'use strict';

const fs = require('fs');
const path = require('path');
const MailComposer = require('nodemailer/lib/mail-composer');

function usage() {
    process.stderr.write('usage: compose_nodemailer.js <small|typical> [seconds] [--print]\n');
    process.exit(2);
}

const args = process.argv.slice(2);
const print = args.includes('--print');
const positional = args.filter(a => a !== '--print');
const which = positional[0];
if (which !== 'small' && which !== 'typical') usage();
const seconds = positional[1] !== undefined ? Number(positional[1]) : 2;
if (!(seconds > 0)) usage();

const sharedDir = process.env.LETTRE_SHARED_DIR || path.join(__dirname, '..', '..', 'shared');
const corpusDir = path.join(sharedDir, 'corpus');
const spec = JSON.parse(fs.readFileSync(path.join(corpusDir, 'message.json'), 'utf8'))[which];

// Everything read from disk once, before timing.
const text = fs.readFileSync(path.join(corpusDir, spec.text), 'utf8');
const html = spec.html ? fs.readFileSync(path.join(corpusDir, spec.html), 'utf8') : null;
const attachment = spec.attachment
    ? {
          filename: spec.attachment.filename,
          contentType: spec.attachment.content_type,
          content: fs.readFileSync(path.join(corpusDir, spec.attachment.path))
      }
    : null;

const newline = process.env.NODEMAILER_NEWLINE || '';

function mailOptions() {
    const mail = {
        from: { name: spec.from.name, address: spec.from.address },
        to: spec.to.map(t => ({ name: t.name, address: t.address })),
        subject: spec.subject,
        date: spec.date,
        messageId: spec.message_id,
        text
    };
    // Nodemailer leaves body line ends as given (its SMTP transport makes
    // them CRLF while sending); NODEMAILER_NEWLINE=win makes the composer
    // emit CRLF itself, the wire form lettre and Python produce.
    if (newline) mail.newline = newline;
    if (html !== null) mail.html = html;
    if (attachment !== null) {
        mail.attachments = [
            {
                filename: attachment.filename,
                contentType: attachment.contentType,
                content: attachment.content
            }
        ];
    }
    return mail;
}

function composeOnce() {
    return new MailComposer(mailOptions()).compile().build();
}

async function main() {
    if (print) {
        process.stdout.write(await composeOnce());
        return;
    }
    // Warm-up, untimed: let V8 tier up the hot paths (its optimizing
    // compiler runs on background threads, slow to finish on a busy machine).
    const warmSeconds = Math.max(0.5, seconds * 0.25);
    const warmEnd = process.hrtime.bigint() + BigInt(Math.round(warmSeconds * 1e9));
    while (process.hrtime.bigint() < warmEnd) await composeOnce();

    let bytes = 0;
    let n = 0;
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    const end = start + BigInt(Math.round(seconds * 1e9));
    let now = start;
    while (now < end) {
        const buf = await composeOnce();
        bytes = buf.length;
        ++n;
        now = process.hrtime.bigint();
    }
    const elapsed = Number(now - start) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;  // all threads (GC included)
    const version = require('nodemailer/package.json').version;
    process.stdout.write(
        JSON.stringify({
            impl: 'nodemailer',
            version,
            runtime: 'node ' + process.version,
            newline: newline || 'as-is',
            message: which,
            iterations: n,
            seconds: elapsed,
            msg_per_s: n / elapsed,
            cpu_seconds: cpuSeconds,
            msg_per_cpu_s: n / cpuSeconds,
            bytes
        }) + '\n'
    );
}

main().catch(err => {
    process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
    process.exit(1);
});

#!/usr/bin/env node
// A shardpipe record processor in Node.js, standard library only.
//
// shardpipe starts one copy of this program per shard and talks to it in JSON Lines: each line
// on stdin is a message with an "action", and each message gets exactly one line back on stdout,
// {"action":"status","responseFor":"<action>"}. Write logs to stderr: stdout is for replies only.
//
// This sample appends every record it handles, as one JSON line, to the file named by
// OUTPUT_FILE (default ./processed.jsonl, relative to the pipe file's folder), and reports as
// failed every record whose data is not JSON, so that shardpipe retries it (and, once the
// pipe's retry policy gives up, sends it to the dead letters).
'use strict';

const fs = require('fs');
const readline = require('readline');

const outputFile = process.env.OUTPUT_FILE || './processed.jsonl';
let shardId = process.env.SHARDPIPE_SHARD_ID || 'unknown shard';

function log(message) {
  process.stderr.write(`processor.js [${shardId}]: ${message}\n`);
}

function reply(action, extra = {}) {
  process.stdout.write(JSON.stringify({ action: 'status', responseFor: action, ...extra }) + '\n');
}

// The record's data, decoded. With the default data_encoding (base64) the envelope carries the
// record's bytes in base64; this sample expects them to be JSON and throws when they are not.
function decodeData(record) {
  return JSON.parse(Buffer.from(record.data, 'base64').toString('utf8'));
}

// Appends `text` and makes it durable before the batch is acknowledged: once the reply says a
// record was handled, shardpipe may checkpoint past it.
function appendDurably(text) {
  const bytes = Buffer.from(text, 'utf8');
  const fd = fs.openSync(outputFile, 'a');
  try {
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

// Handles a batch; returns the batch item failures (records to be retried).
function processRecords(records) {
  const lines = [];
  const failures = [];
  for (const record of records) {
    try {
      decodeData(record);
    } catch (error) {
      log(`record ${record.eventID} is not JSON (${error.message}); reporting it as failed`);
      failures.push({ itemIdentifier: record.eventID });
      continue;
    }
    lines.push(JSON.stringify(record) + '\n');
  }
  if (lines.length > 0) appendDurably(lines.join(''));
  return failures;
}

async function main() {
  const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of input) {
    if (line.trim() === '') continue;
    const message = JSON.parse(line);
    switch (message.action) {
      case 'initialize':
        shardId = message.shardId;
        log(`initialize: shard ${message.shardId}, protocol ${message.protocolVersion}`);
        reply('initialize');
        break;
      case 'processRecords': {
        const failures = processRecords(message.records);
        reply('processRecords', failures.length > 0 ? { batchItemFailures: failures } : {});
        break;
      }
      case 'shardEnded':
        log('shardEnded: the shard is finished and every record was delivered');
        reply('shardEnded');
        break;
      case 'leaseLost':
        log('leaseLost: another worker owns the shard now');
        reply('leaseLost');
        break;
      case 'shutdownRequested':
        log('shutdownRequested: shardpipe is stopping');
        reply('shutdownRequested');
        break;
      default:
        // Answer anyway, so that shardpipe and this processor stay in step.
        log(`unknown action ${message.action}`);
        reply(message.action);
    }
  }
  // shardpipe closes stdin when it no longer needs this processor.
  log('input closed, exiting');
}

main().catch((error) => {
  // Exiting fails the batch in flight; shardpipe restarts the processor and sends it again.
  log(`failed: ${error.stack}`);
  process.exit(1);
});

// kafkajs as the independent Kafka consumer of the throughput benchmark: a consumer group that
// reads TOPIC from the beginning, writes each message's value as a line to OUT (buffered) and
// stops once it has COUNT messages. Offsets are committed by kafkajs' autoCommit, which (with
// no autoCommitInterval or autoCommitThreshold) commits after every batch: one OffsetCommit per
// partition batch, as a consumer that checkpoints what it wrote would.
//   node kafka_kafkajs_consumer.js BOOTSTRAPS TOPIC GROUP OUT COUNT [TIMEOUT_S]
// Prints `count <n> joined_after <s> consumed_in <s>`: seconds from the start until the first
// batch (the group join), and from the first batch until the last value was written.
'use strict';
const fs = require('fs');
const { Kafka, logLevel } = require('kafkajs');

const [bootstraps, topic, groupId, outPath, countText, timeoutText = '600'] = process.argv.slice(2);
if (!countText) {
  console.error('usage: kafka_kafkajs_consumer.js BOOTSTRAPS TOPIC GROUP OUT COUNT [TIMEOUT_S]');
  process.exit(2);
}
const wanted = Number(countText);
const started = process.hrtime.bigint();
const seconds = (from, to) => (Number(to - from) / 1e9).toFixed(3);

const out = fs.openSync(outPath, 'w');
const newline = Buffer.from('\n');
let chunks = [];
let pending = 0;
const flush = () => {
  if (pending === 0) return;
  fs.writeSync(out, Buffer.concat(chunks, pending));
  chunks = [];
  pending = 0;
};

const kafka = new Kafka({
  clientId: 'shardpipe-bench',
  brokers: bootstraps.split(','),
  logLevel: logLevel.ERROR,
});
// The fetch settings closest to the librdkafka ones the other readers get
// (fetch.wait.max.ms=10, fetch.message.max.bytes=4194304, librdkafka's default fetch.max.bytes
// of 50 MiB); kafkajs has no queued.min.messages. A short session timeout because the mock
// cluster waits session.timeout.ms - 1000 on every rebalance after the first join.
const consumer = kafka.consumer({
  groupId,
  maxWaitTimeInMs: 10,
  maxBytesPerPartition: 4194304,
  maxBytes: 52428800,
  sessionTimeout: 6000,
  heartbeatInterval: 1000,
});

let count = 0;
let firstBatch = null;
let finished;
const done = new Promise((resolve) => { finished = resolve; });

async function main() {
  const timer = setTimeout(() => {
    flush();
    console.error(`kafkajs consumer: timed out after ${timeoutText} s with ${count} of ${wanted}`);
    process.exit(1);
  }, Number(timeoutText) * 1000);
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: true,
    eachBatch: async ({ batch }) => {
      if (firstBatch === null) firstBatch = process.hrtime.bigint();
      for (const message of batch.messages) {
        chunks.push(message.value, newline);
        pending += message.value.length + 1;
      }
      count += batch.messages.length;
      if (pending >= 1 << 20) flush();
      if (count >= wanted) finished();
    },
  });
  await done;
  flush();
  const last = process.hrtime.bigint();
  fs.closeSync(out);
  // disconnect() waits for the running batch and its commit, then leaves the group.
  await consumer.disconnect();
  clearTimeout(timer);
  console.log(`count ${count} joined_after ${seconds(started, firstBatch)} consumed_in ${seconds(firstBatch, last)}`);
}

main().catch((error) => {
  console.error(`kafkajs consumer: ${error.stack || error}`);
  process.exit(1);
});

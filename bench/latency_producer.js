// The independent producer of latency.sh: puts records at a steady, paced rate into one of the
// sources, each record carrying the wall-clock time of its put in microseconds.
//
//   node bench/latency_producer.js SINK RATE SECONDS TICK_MS READY_DIR ARGS…
//     SINK local    ARGS: SHARDPIPE LOG_DIR    (`shardpipe log put LOG_DIR` fed on its stdin)
//     SINK kafka    ARGS: BOOTSTRAPS TOPIC     (a kafkajs producer)
//     SINK kinesis  ARGS: ENDPOINT STREAM      (@aws-sdk/client-kinesis PutRecords)
//     SINK dynamodb ARGS: ENDPOINT TABLE       (@aws-sdk/client-dynamodb BatchWriteItem)
//
// First one warm-up record (token warm-0-<µs>) is put and "warm-up put" printed; the producer
// then waits until a .jsonl file appears under READY_DIR (the pipe has delivered the warm-up, so
// it is reading: a consumer group's join or a pipe's start is not counted as latency). Then,
// every TICK_MS, the records due by then (RATE per second, SECONDS long) are put together, all
// stamped with the time just before that put. Each record's data holds the token
// lat-<n>-<put µs> (n = 0, 1, …), padded to 100 bytes; then come cool-down records (tail-<n>-…,
// see below). Prints "start" when pacing begins and "put <count> records in <s> s, most requests
// in flight <m>, ticks late <k>; then <c> cool-down records" at the end.
//
// Producer-side batching is one tick: no sink lingers to gather more. Records of one tick share
// their stamp, so the latency counts from the moment the producer hands them over.
'use strict';
process.removeAllListeners('warning');  // the SDK warns about future Node.js versions
const fs = require('fs');
const http = require('http');
const path = require('path');
const { spawn } = require('child_process');
const { performance } = require('perf_hooks');

const [sinkName, rateText, secondsText, tickText, readyDir, ...args] = process.argv.slice(2);
if (!args.length) {
  console.error('usage: latency_producer.js SINK RATE SECONDS TICK_MS READY_DIR ARGS…');
  process.exit(2);
}
const rate = Number(rateText);
const seconds = Number(secondsText);
const tickMs = Number(tickText);
const total = Math.round(rate * seconds);
// Requests (kafka, kinesis, dynamodb) allowed in flight before the producer waits and falls behind.
const maxInFlight = 64;

// Wall-clock microseconds with sub-millisecond resolution (Date.now() has only milliseconds).
const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

// {"lat":"lat-<n>-<µs>","p":"xxx…"}, 100 bytes.
function data(token) {
  const head = `{"lat":"${token}","p":"`;
  return head + 'x'.repeat(Math.max(0, 100 - head.length - 2)) + '"}';
}

function sdkHandler() {
  const { NodeHttpHandler } = require('@smithy/node-http-handler');
  // The SDK speaks HTTP/2 by default, which a plain http endpoint does not.
  return new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true }) });
}
const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' };

// A sink for a service that takes at most `size` records per request: the records in requests
// of that many, sent at once.
function inRequestsOf(size, putRequest) {
  return {
    put: (records) => {
      const puts = [];
      for (let i = 0; i < records.length; i += size) puts.push(putRequest(records.slice(i, i + size)));
      return Promise.all(puts);
    },
    close: async () => {},
  };
}

const sinks = {
  // One long-running `shardpipe log put`, a tick's lines written to its standard input at once.
  // log put keeps reading while more input follows within 5 ms and commits each such group (one
  // fdatasync per shard): the ticks are further apart than that, so each is its own group.
  local: ([shardpipe, logDir]) => {
    const child = spawn(shardpipe, ['log', 'put', logDir], { stdio: ['pipe', 'ignore', 'inherit'] });
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
    child.stdin.on('error', (e) => { console.error(`log put: ${e.message}`); process.exit(1); });
    return {
      // Not awaited: a put is handed over once written to the pipe.
      put: (records) => { child.stdin.write(records.map(([, token]) => `${data(token)}\n`).join('')); },
      close: async () => {
        child.stdin.end();
        const status = await exited;
        if (status !== 0) throw new Error(`log put exited ${status}`);
      },
    };
  },
  // kafkajs: one produce request per tick (it has no linger), acks from all in-sync replicas.
  // (kcat -P cannot pace: it holds what it reads from a pipe until its input ends.)
  kafka: ([bootstraps, topic]) => {
    const { Kafka, Partitioners, logLevel } = require('kafkajs');
    const producer = new Kafka({ clientId: 'shardpipe-latency', brokers: bootstraps.split(','), logLevel: logLevel.ERROR })
      .producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    const connected = producer.connect();
    return {
      put: async (records) => {
        await connected;
        await producer.send({
          topic, acks: -1, messages: records.map(([key, token]) => ({ key, value: data(token) })),
        });
      },
      close: () => producer.disconnect(),
    };
  },
  kinesis: ([endpoint, stream]) => {
    const k = require('@aws-sdk/client-kinesis');
    const client = new k.KinesisClient({
      endpoint, region: 'us-east-1', credentials, requestHandler: sdkHandler(), maxAttempts: 10,
    });
    const putRecords = async (records) => {
      let entries = records.map(([key, token]) => ({ PartitionKey: key, Data: Buffer.from(data(token)) }));
      // PutRecords takes up to 500 records; a failed entry is put again.
      for (let attempt = 0; entries.length > 0; attempt++) {
        if (attempt > 0) await sleep(Math.min(1000, 10 * 2 ** attempt));
        const out = await client.send(new k.PutRecordsCommand({ StreamName: stream, Records: entries }));
        entries = entries.filter((_, i) => out.Records[i].ErrorCode);
      }
    };
    return inRequestsOf(500, putRecords);
  },
  dynamodb: ([endpoint, table]) => {
    const ddb = require('@aws-sdk/client-dynamodb');
    const client = new ddb.DynamoDBClient({
      endpoint, region: 'us-east-1', credentials, requestHandler: sdkHandler(), maxAttempts: 10,
    });
    const writeBatch = async (records) => {
      let requests = records.map(([key, token, n]) => ({
        PutRequest: { Item: { pk: { S: key }, sk: { N: String(n) }, data: { S: data(token) } } },
      }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 0) await sleep(Math.min(1000, 10 * 2 ** attempt));
        const out = await client.send(new ddb.BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
        requests = (out.UnprocessedItems && out.UnprocessedItems[table]) || [];
      }
    };
    return inRequestsOf(25, writeBatch);  // BatchWriteItem takes up to 25 items
  },
};

function hasOutput(dir) {
  try {
    return fs.readdirSync(dir, { recursive: true }).some((f) => path.basename(f).endsWith('.jsonl'));
  } catch (e) {
    if (e.code === 'ENOENT') return false;
    throw e;
  }
}

// Records put after the measured ones, for coolDownSeconds at the same rate, not counted: they
// fill the files the last measured records are in, which would otherwise wait for the pipe's
// idle flush (1 s) whenever a shard's share of the last tick does not fill a file.
const coolDownSeconds = 1;

async function main() {
  if (!sinks[sinkName]) throw new Error(`unknown sink ${sinkName}`);
  const sink = sinks[sinkName](args);
  // The warm-up record, not counted.
  await sink.put([['warm', `warm-0-${nowUs()}`, -1]]);
  console.log('warm-up put');
  for (const deadline = Date.now() + 180000; !hasOutput(readyDir);) {
    if (Date.now() > deadline) throw new Error(`the warm-up record was not delivered into ${readyDir} within 180 s`);
    await sleep(10);
  }
  console.log('start');

  const inFlight = new Set();
  let mostInFlight = 0;
  let late = 0;
  // Puts COUNT records at RATE, tokens <kind>-<n>-<µs> and keys <key><n>; resolves with the
  // seconds it took once every put is answered.
  async function paced(count, kind, key) {
    let sent = 0;
    const start = performance.now();
    for (let tick = 0; sent < count; tick++) {
      // On a fixed schedule from the start: a late tick does not shift the later ones.
      const wait = start + tick * tickMs - performance.now();
      if (wait > 0) await sleep(wait);
      else if (wait < -tickMs) late++;
      const due = Math.min(count, Math.floor((rate * ((tick + 1) * tickMs)) / 1000));
      if (due <= sent) continue;
      const stamp = nowUs();
      const records = [];
      for (let n = sent; n < due; n++) records.push([`${key}${n}`, `${kind}-${n}-${stamp}`, n]);
      sent = due;
      const put = sink.put(records);
      if (put) {
        const tracked = put.then(() => inFlight.delete(tracked));
        inFlight.add(tracked);
        mostInFlight = Math.max(mostInFlight, inFlight.size);
        // Too many requests waiting: the server does not keep up; wait (and fall behind) rather
        // than pile up more.
        while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      }
    }
    await Promise.all(inFlight);
    return (performance.now() - start) / 1000;
  }

  const took = await paced(total, 'lat', 'k');
  const coolDown = Math.round(rate * coolDownSeconds);
  await paced(coolDown, 'tail', 't');
  await sink.close();
  console.log(`put ${total} records in ${took.toFixed(3)} s, most requests in flight ${mostInFlight},` +
    ` ticks late ${late}; then ${coolDown} cool-down records`);
}

main().catch((e) => {
  console.error(`latency_producer ${sinkName}: ${e.stack || e}`);
  process.exit(1);
});

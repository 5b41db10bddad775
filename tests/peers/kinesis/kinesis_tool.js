// An independent Kinesis client for tests and benchmarks, on the AWS SDK for JavaScript.
//
//   node kinesis_tool.js ENDPOINT create STREAM SHARDS
//   node kinesis_tool.js ENDPOINT put STREAM COUNT KEYS [FIRST] [BATCH] [SIZE]
//       puts COUNT records {"k":"key-<i mod KEYS>","n":<FIRST+i>} keyed by k, in batches of
//       BATCH (default 100) with PutRecords, keeping each key's order, padded with a "p" field
//       to SIZE bytes when given; prints one line per record:
//       <shardId> <sequenceNumber> <data>
//   node kinesis_tool.js ENDPOINT shards STREAM     prints the shard list as JSON
//   node kinesis_tool.js ENDPOINT split STREAM SHARD splits SHARD at the middle of its range
//   node kinesis_tool.js ENDPOINT merge STREAM SHARD ADJACENT
//   node kinesis_tool.js ENDPOINT wait STREAM       waits until the stream is ACTIVE
//   node kinesis_tool.js ENDPOINT read STREAM SHARD OUTPUT
//       reads SHARD from TRIM_HORIZON to its current end with GetRecords (Limit 10000) and
//       writes each record's data as a line to OUTPUT (the baseline reader of the benchmarks)
//   node kinesis_tool.js ENDPOINT dump STREAM
//       reads every shard from TRIM_HORIZON to its current end and prints each record as a JSON
//       line {"shardId","sequenceNumber","partitionKey","data"} (data as a UTF-8 string), shard
//       by shard in list order, each shard's records in order
//   node kinesis_tool.js ENDPOINT put-aggregated STREAM COUNT KEYS [FIRST] [PER_AGGREGATE]
//       aggregates COUNT user records {"k":"key-<i mod KEYS>","n":<FIRST+i>} keyed by k into KPL
//       aggregates of PER_AGGREGATE (default 10) with awslabs' aws-kinesis-agg, and puts them one
//       at a time with PutRecord (keyed by their first user record), in order; prints one line
//       per user record: <shardId> <sequenceNumber of its aggregate> <data>
'use strict';
// The SDK warns about future Node.js versions on stderr, which tests read.
process.removeAllListeners('warning');
const http = require('http');
const fs = require('fs');
const { NodeHttpHandler } = require('@smithy/node-http-handler');
const k = require('@aws-sdk/client-kinesis');
const { putInKeyOrder } = require('./put_in_key_order');

const [endpoint, command, stream, ...rest] = process.argv.slice(2);
const client = new k.KinesisClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
  // The SDK speaks HTTP/2 by default, which a plain http endpoint does not.
  requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true }) }),
  maxAttempts: 10,
});

async function waitActive() {
  for (;;) {
    const d = await client.send(new k.DescribeStreamSummaryCommand({ StreamName: stream }));
    if (d.StreamDescriptionSummary.StreamStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function shards() {
  const all = [];
  let token;
  do {
    const page = await client.send(new k.ListShardsCommand(token ? { NextToken: token } : { StreamName: stream }));
    all.push(...page.Shards);
    token = page.NextToken;
  } while (token);
  return all;
}

function padded(data, size) {
  if (!size || data.length + 8 > size) return data;
  return `${data.slice(0, -1)},"p":"${'x'.repeat(size - data.length - 7)}"}`;
}

async function put(count, keys, first, batch, size) {
  const lines = [];
  for (let start = 0; start < count; start += batch) {
    const entries = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const key = `key-${i % keys}`;
      entries.push({ key, data: padded(JSON.stringify({ k: key, n: first + i }), size) });
    }
    const written = await putInKeyOrder(client, k.PutRecordsCommand, stream, entries);
    const results = written.map((w, i) => `${w.shardId} ${w.sequenceNumber} ${entries[i].data}`);
    lines.push(...results);
  }
  process.stdout.write(lines.join('\n') + (lines.length ? '\n' : ''));
}

function middle(shard) {
  const lo = BigInt(shard.HashKeyRange.StartingHashKey);
  const hi = BigInt(shard.HashKeyRange.EndingHashKey);
  return ((lo + hi) / 2n + 1n).toString();
}

async function read(shardId, output) {
  const out = fs.createWriteStream(output);
  let it = (await client.send(new k.GetShardIteratorCommand({
    StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON',
  }))).ShardIterator;
  for (;;) {
    const page = await client.send(new k.GetRecordsCommand({ ShardIterator: it, Limit: 10000 }));
    for (const r of page.Records) out.write(Buffer.from(r.Data).toString() + '\n');
    if (page.Records.length === 0 || !page.NextShardIterator) break;
    it = page.NextShardIterator;
  }
  await new Promise((r) => out.end(r));
}

async function dump() {
  for (const shard of await shards()) {
    let it = (await client.send(new k.GetShardIteratorCommand({
      StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON',
    }))).ShardIterator;
    while (it) {
      const page = await client.send(new k.GetRecordsCommand({ ShardIterator: it, Limit: 10000 }));
      for (const r of page.Records) {
        process.stdout.write(JSON.stringify({
          shardId: shard.ShardId, sequenceNumber: r.SequenceNumber, partitionKey: r.PartitionKey,
          data: Buffer.from(r.Data).toString('utf8'),
        }) + '\n');
      }
      if (page.Records.length === 0) break;
      it = page.NextShardIterator;
    }
  }
}

async function putAggregated(count, keys, first, perAggregate) {
  const { RecordAggregator } = require('aws-kinesis-agg');
  const lines = [];
  for (let start = 0; start < count; start += perAggregate) {
    const aggregator = new RecordAggregator();
    const users = [];
    for (let i = start; i < Math.min(count, start + perAggregate); i++) {
      const key = `key-${i % keys}`;
      const data = JSON.stringify({ k: key, n: first + i });
      aggregator.addUserRecord({ partitionKey: key, data: Buffer.from(data) });
      users.push(data);
    }
    const aggregate = aggregator.build();
    // One PutRecord at a time, so the aggregates (and each key's user records) keep their order.
    const out = await client.send(new k.PutRecordCommand({
      StreamName: stream, PartitionKey: aggregate.partitionKey, Data: aggregate.data,
    }));
    for (const data of users) lines.push(`${out.ShardId} ${out.SequenceNumber} ${data}`);
  }
  process.stdout.write(lines.join('\n') + (lines.length ? '\n' : ''));
}

async function main() {
  switch (command) {
    case 'create':
      await client.send(new k.CreateStreamCommand({ StreamName: stream, ShardCount: Number(rest[0]) }));
      await waitActive();
      break;
    case 'wait':
      await waitActive();
      break;
    case 'put':
      await put(Number(rest[0]), Number(rest[1]), Number(rest[2] || 0), Number(rest[3] || 100),
        Number(rest[4] || 0));
      break;
    case 'shards':
      console.log(JSON.stringify(await shards()));
      break;
    case 'split': {
      const shard = (await shards()).find((s) => s.ShardId === rest[0]);
      await client.send(new k.SplitShardCommand({
        StreamName: stream, ShardToSplit: rest[0], NewStartingHashKey: middle(shard),
      }));
      await waitActive();
      break;
    }
    case 'merge':
      await client.send(new k.MergeShardsCommand({
        StreamName: stream, ShardToMerge: rest[0], AdjacentShardToMerge: rest[1],
      }));
      await waitActive();
      break;
    case 'read':
      await read(rest[0], rest[1]);
      break;
    case 'dump':
      await dump();
      break;
    case 'put-aggregated':
      await putAggregated(Number(rest[0]), Number(rest[1]), Number(rest[2] || 0),
        Number(rest[3] || 10));
      break;
    default:
      throw new Error(`unknown command ${command}`);
  }
}

main().catch((e) => {
  console.error(`kinesis_tool ${command}: ${e.name}: ${e.message}`);
  process.exit(1);
});

// An independent Kinesis client for tests and benchmarks, on the AWS SDK for JavaScript.
//
//   node kinesis_tool.js ENDPOINT create STREAM SHARDS
//   node kinesis_tool.js ENDPOINT put STREAM COUNT KEYS [FIRST] [BATCH]
//       puts COUNT records {"k":"key-<i mod KEYS>","n":<FIRST+i>} keyed by k, in batches of
//       BATCH (default 100) with PutRecords, keeping each key's order; prints one line per record:
//       <shardId> <sequenceNumber> <data>
//   node kinesis_tool.js ENDPOINT shards STREAM     prints the shard list as JSON
//   node kinesis_tool.js ENDPOINT split STREAM SHARD splits SHARD at the middle of its range
//   node kinesis_tool.js ENDPOINT merge STREAM SHARD ADJACENT
//   node kinesis_tool.js ENDPOINT wait STREAM       waits until the stream is ACTIVE
//   node kinesis_tool.js ENDPOINT read STREAM SHARD OUTPUT
//       reads SHARD from TRIM_HORIZON to its current end with GetRecords (Limit 10000) and
//       writes each record's data as a line to OUTPUT (the baseline reader of the benchmarks)
'use strict';
// The SDK warns about future Node.js versions on stderr, which tests read.
process.removeAllListeners('warning');
const http = require('http');
const fs = require('fs');
const { NodeHttpHandler } = require('@smithy/node-http-handler');
const k = require('@aws-sdk/client-kinesis');

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

async function put(count, keys, first, batch) {
  const lines = [];
  for (let start = 0; start < count; start += batch) {
    const entries = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const key = `key-${i % keys}`;
      entries.push({ key, data: JSON.stringify({ k: key, n: first + i }) });
    }
    let pending = entries.map((e, index) => ({ ...e, index }));
    const results = new Array(entries.length);
    // Retry only what failed; a key's later records wait for its earlier ones to succeed.
    while (pending.length > 0) {
      const out = await client.send(new k.PutRecordsCommand({
        StreamName: stream,
        Records: pending.map((e) => ({ PartitionKey: e.key, Data: Buffer.from(e.data) })),
      }));
      const failedKeys = new Set();
      const retry = [];
      out.Records.forEach((r, i) => {
        const e = pending[i];
        if (r.ErrorCode || failedKeys.has(e.key)) {
          failedKeys.add(e.key);
          retry.push(e);
        } else {
          results[e.index] = `${r.ShardId} ${r.SequenceNumber} ${e.data}`;
        }
      });
      pending = retry;
    }
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
      await put(Number(rest[0]), Number(rest[1]), Number(rest[2] || 0), Number(rest[3] || 100));
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
    default:
      throw new Error(`unknown command ${command}`);
  }
}

main().catch((e) => {
  console.error(`kinesis_tool ${command}: ${e.name}: ${e.message}`);
  process.exit(1);
});

// What a user would otherwise write to copy a DynamoDB stream into a file: the AWS SDK for
// JavaScript (@aws-sdk/client-dynamodb-streams, one keep-alive HTTP/1.1 agent) reading every
// shard from TRIM_HORIZON with GetRecords (Limit 1000) back to back, no pause between calls,
// each record written to the file as one JSON line (JSON.stringify of the SDK's record: the
// creation time becomes an ISO date). A shard is read until a page is empty or it has no next
// iterator; the reader stops once EXPECTED records were read and every open shard gave an empty
// page. No checkpoints, no fsync.
//   node bench/dynamodb_raw_reader.js ENDPOINT STREAM_ARN OUTPUT EXPECTED
//       prints the number of records read
'use strict';
// The SDK warns about future Node.js versions on stderr.
process.removeAllListeners('warning');
const fs = require('fs');
const http = require('http');
const { NodeHttpHandler } = require('@smithy/node-http-handler');
const streams = require('@aws-sdk/client-dynamodb-streams');

const [endpoint, arn, output, expectedText] = process.argv.slice(2);
const expected = Number(expectedText);

const client = new streams.DynamoDBStreamsClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
  // The SDK speaks HTTP/2 by default, which a plain http endpoint does not.
  requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true }) }),
  maxAttempts: 10,
});

async function shards() {
  const all = [];
  let start;
  do {
    const page = (await client.send(new streams.DescribeStreamCommand({
      StreamArn: arn, ...(start ? { ExclusiveStartShardId: start } : {}),
    }))).StreamDescription;
    all.push(...page.Shards);
    start = page.LastEvaluatedShardId;
  } while (start);
  return all;
}

(async () => {
  const out = fs.createWriteStream(output);
  const iterators = new Map();
  for (const shard of await shards()) {
    iterators.set(shard.ShardId, (await client.send(new streams.GetShardIteratorCommand({
      StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON',
    }))).ShardIterator);
  }
  let count = 0;
  const deadline = Date.now() + 60000;
  for (;;) {
    for (const [shard, first] of iterators) {
      let it = first;
      for (;;) {
        const page = await client.send(new streams.GetRecordsCommand({ ShardIterator: it, Limit: 1000 }));
        for (const r of page.Records) out.write(JSON.stringify(r) + '\n');
        count += page.Records.length;
        it = page.NextShardIterator;
        if (!it) {
          iterators.delete(shard);  // a closed shard, read to its end
          break;
        }
        iterators.set(shard, it);
        if (page.Records.length === 0) break;
      }
    }
    if (count >= expected || iterators.size === 0) break;
    // Not all records visible yet: try again shortly.
    if (Date.now() > deadline) throw new Error(`only ${count} of ${expected} records after 60 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => out.end(r));
  console.log(count);
})().catch((e) => { console.error(`dynamodb_raw_reader: ${e.name}: ${e.message}`); process.exit(1); });

// The ceiling of reading a DynamoDB Local stream: GetRecords pages (Limit 1000) fetched back to
// back over one keep-alive connection with plain HTTP, parsed and only counted, no SDK and no
// output. DynamoDB Local checks that an Authorization header is present, not what it says.
// Every shard is read from TRIM_HORIZON until a page is empty or it has no next iterator; the
// reader stops once EXPECTED records were read.
//   node bench/dynamodb_ceiling_reader.js ENDPOINT STREAM_ARN EXPECTED
//       prints the number of records read
'use strict';
const http = require('http');

const [endpoint, arn, expectedText] = process.argv.slice(2);
const expected = Number(expectedText);
const url = new URL(endpoint);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(operation, body) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: url.hostname, port: url.port, method: 'POST', path: '/', agent,
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': `DynamoDBStreams_20120810.${operation}`,
        'X-Amz-Date': '20260101T000000Z',
        Authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, ' +
          'SignedHeaders=host;x-amz-date, Signature=0',
        'Content-Length': Buffer.byteLength(payload),
      },
    }, (response) => {
      const chunks = [];
      response.on('data', (c) => chunks.push(c));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (response.statusCode !== 200) reject(new Error(`${operation}: ${response.statusCode} ${text}`));
        else resolve(JSON.parse(text));
      });
    });
    request.on('error', reject);
    request.end(payload);
  });
}

(async () => {
  const iterators = new Map();
  let start;
  do {
    const page = (await call('DescribeStream',
      { StreamArn: arn, ...(start ? { ExclusiveStartShardId: start } : {}) })).StreamDescription;
    for (const shard of page.Shards) {
      iterators.set(shard.ShardId, (await call('GetShardIterator',
        { StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' })).ShardIterator);
    }
    start = page.LastEvaluatedShardId;
  } while (start);
  let count = 0;
  const deadline = Date.now() + 60000;
  for (;;) {
    for (const [shard, first] of iterators) {
      let it = first;
      for (;;) {
        const page = await call('GetRecords', { ShardIterator: it, Limit: 1000 });
        count += page.Records.length;
        it = page.NextShardIterator;
        if (!it) {
          iterators.delete(shard);
          break;
        }
        iterators.set(shard, it);
        if (page.Records.length === 0) break;
      }
    }
    if (count >= expected || iterators.size === 0) break;
    if (Date.now() > deadline) throw new Error(`only ${count} of ${expected} records after 60 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  console.log(count);
})().catch((e) => { console.error(`dynamodb_ceiling_reader: ${e.message}`); process.exit(1); });

// The ceiling of reading one kinesalite shard: GetRecords pages fetched over one keep-alive
// connection with plain HTTP and only counted, no SDK and no output. kinesalite checks that an
// Authorization header is present, not what it says.
//   node bench/kinesis_raw_reader.js ENDPOINT STREAM SHARD    prints the number of records read
'use strict';
const http = require('http');

const [endpoint, stream, shard] = process.argv.slice(2);
const url = new URL(endpoint);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(operation, body) {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: url.hostname, port: url.port, method: 'POST', path: '/', agent,
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `Kinesis_20131202.${operation}`,
        'X-Amz-Date': '20260101T000000Z',
        Authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, ' +
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
  let { ShardIterator: iterator } = await call('GetShardIterator',
    { StreamName: stream, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' });
  let count = 0;
  for (;;) {
    const page = await call('GetRecords', { ShardIterator: iterator, Limit: 10000 });
    count += page.Records.length;
    if (page.Records.length === 0 || !page.NextShardIterator) break;
    iterator = page.NextShardIterator;
  }
  console.log(count);
})().catch((e) => { console.error(e.message); process.exit(1); });

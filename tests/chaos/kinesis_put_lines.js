// Puts raw lines into a Kinesis stream, for the chaos suite's producer, which also needs data
// that is not JSON (poison records).
//
//   node kinesis_put_lines.js PEERS_DIR ENDPOINT STREAM < lines
//
// Each input line is "<partition key>\t<data>"; the data is put as its UTF-8 bytes with
// PutRecords, in input order per key (a key's later records wait for its earlier ones to
// succeed). Prints one line per input line, in input order: <shardId> <sequenceNumber>
'use strict';
process.removeAllListeners('warning');
const path = require('path');
const http = require('http');
const { createRequire } = require('module');

const [peersDir, endpoint, stream] = process.argv.slice(2);
// The AWS SDK is installed with the other test peers.
const peerRequire = createRequire(path.join(peersDir, 'package.json'));
const { NodeHttpHandler } = peerRequire('@smithy/node-http-handler');
const k = peerRequire('@aws-sdk/client-kinesis');
const { putInKeyOrder } = require(path.join(peersDir, 'kinesis', 'put_in_key_order.js'));

const client = new k.KinesisClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
  requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true }) }),
  maxAttempts: 10,
});

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const entries = Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l.length > 0)
    .map((line, index) => {
      const tab = line.indexOf('\t');
      return { key: line.slice(0, tab), data: line.slice(tab + 1) };
    });
  const results = [];
  for (let start = 0; start < entries.length; start += 100) {
    const written = await putInKeyOrder(client, k.PutRecordsCommand, stream,
      entries.slice(start, start + 100));
    results.push(...written.map((w) => `${w.shardId} ${w.sequenceNumber}`));
  }
  process.stdout.write(results.map((r) => r + '\n').join(''));
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});

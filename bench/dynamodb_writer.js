// Fills a DynamoDB table fast: BatchWriteItem with 25 items per request and several requests at
// once (DynamoDB Local takes single PutItem calls at only a few thousand a second), retrying
// UnprocessedItems. Each item has a few attributes of different types, about 150 bytes:
//   {pk: "customer-<i mod 1000>", sk: i, status, amount, paid, tags (SS), address (M),
//    lines (L), note (NULL)}
//   node bench/dynamodb_writer.js ENDPOINT TABLE COUNT [CONCURRENCY]    prints COUNT when done
'use strict';
// The SDK warns about future Node.js versions on stderr.
process.removeAllListeners('warning');
const http = require('http');
const { NodeHttpHandler } = require('@smithy/node-http-handler');
const ddb = require('@aws-sdk/client-dynamodb');

const [endpoint, table, countText, concurrencyText] = process.argv.slice(2);
const count = Number(countText);
const concurrency = Number(concurrencyText || 8);
const perBatch = 25;

const db = new ddb.DynamoDBClient({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
  // The SDK speaks HTTP/2 by default, which a plain http endpoint does not.
  requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true }) }),
  maxAttempts: 10,
});

const statuses = ['new', 'paid', 'shipped', 'cancelled'];
function item(i) {
  return {
    pk: { S: `customer-${i % 1000}` },
    sk: { N: String(i) },
    status: { S: statuses[i % statuses.length] },
    amount: { N: ((i % 100000) / 100).toFixed(2) },
    paid: { BOOL: i % 2 === 0 },
    tags: { SS: ['bench', `tag-${i % 7}`] },
    address: { M: { city: { S: 'Lisbon' }, zip: { N: String(1000 + (i % 9000)) } } },
    lines: { L: [{ S: `sku-${i % 500}` }, { N: String(1 + (i % 5)) }] },
    note: { NULL: true },
  };
}

async function writeBatch(first, last) {
  let requests = [];
  for (let i = first; i < last; i++) requests.push({ PutRequest: { Item: item(i) } });
  for (let attempt = 0; requests.length > 0; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 10 * 2 ** attempt)));
    const out = await db.send(new ddb.BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
    requests = (out.UnprocessedItems && out.UnprocessedItems[table]) || [];
  }
}

(async () => {
  let next = 0;
  async function worker() {
    while (next < count) {
      const first = next;
      next = Math.min(count, next + perBatch);
      await writeBatch(first, next);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  console.log(count);
})().catch((e) => { console.error(`dynamodb_writer: ${e.name}: ${e.message}`); process.exit(1); });

// An independent DynamoDB and DynamoDB Streams client for tests, on the AWS SDK for JavaScript.
//
//   node dynamodb_tool.js ENDPOINT create-table TABLE [--view VIEW]
//       creates TABLE (partition key pk: S, sort key sk: N) with a stream of VIEW
//       (NEW_AND_OLD_IMAGES by default; KEYS_ONLY, NEW_IMAGE, OLD_IMAGE) and prints its
//       LatestStreamArn
//   node dynamodb_tool.js ENDPOINT put TABLE COUNT KEYS [FIRST]
//       puts COUNT items {pk: "key-<i mod KEYS>", sk: FIRST+i, n: FIRST+i, and one attribute of
//       every type (see item())} one PutItem at a time; prints one line per item: <pk> <sk>
//   node dynamodb_tool.js ENDPOINT churn TABLE COUNT ITEMS
//       COUNT changes to ITEMS items, one PutItem each in order: change i writes the item
//       {pk: "key-<i mod ITEMS>", sk: 0} with n = i (an INSERT the first time, then MODIFYs);
//       prints one line per change: <pk> <n>
//   node dynamodb_tool.js ENDPOINT scan TABLE
//       prints every item of TABLE, one line each: <pk> <sk> <n>
//   node dynamodb_tool.js ENDPOINT update TABLE PK SK
//       adds 1000 to the item's n (a MODIFY record); prints the new item as the service returned it
//   node dynamodb_tool.js ENDPOINT delete TABLE PK SK     deletes the item (a REMOVE record)
//   node dynamodb_tool.js ENDPOINT stream-records STREAM_ARN
//       reads every shard from TRIM_HORIZON (DescribeStream, GetShardIterator, GetRecords) until
//       the shard's end (no NextShardIterator) or, while the shard is open, until a page is
//       empty; prints each record as a JSON line exactly as the service sent it, shard by shard
//       in DescribeStream's order
//   node dynamodb_tool.js ENDPOINT disable-stream TABLE   turns the table's stream off
//   node dynamodb_tool.js ENDPOINT enable-stream TABLE [--view VIEW]   turns it on (a new stream
//       ARN, printed)
//   node dynamodb_tool.js ENDPOINT describe-stream STREAM_ARN
//       prints StreamDescription as JSON as the service sent it, all shards (DescribeStream
//       pages followed with ExclusiveStartShardId)
//   node dynamodb_tool.js ENDPOINT list-streams [TABLE]  prints ListStreams' Streams as JSON
//   node dynamodb_tool.js ENDPOINT list-tables           prints the table names as JSON
//
// Attribute values are written and printed in DynamoDB's JSON form ({"N": "..."}): numbers stay
// exact strings, binary values are base64.
'use strict';
// The SDK warns about future Node.js versions on stderr, which tests read.
process.removeAllListeners('warning');
const http = require('http');
const { Readable } = require('stream');
const { NodeHttpHandler } = require('@smithy/node-http-handler');
const ddb = require('@aws-sdk/client-dynamodb');
const streams = require('@aws-sdk/client-dynamodb-streams');
const { rawRecords } = require('./raw_records');

// Ends when the test that started it dies, rather than retrying against a server that is gone.
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) process.exit(2); }, 500).unref();

const [endpoint, command, ...rest] = process.argv.slice(2);
const option = (name, fallback) => {
  const at = rest.indexOf(name);
  return at >= 0 ? rest[at + 1] : fallback;
};

// The body of the last response, as the service sent it: the SDK turns dates into Date objects
// and binary values into bytes, so what the records really look like is read from here.
let lastBody = '';
function capturingRawBodies(client) {
  client.middlewareStack.addRelativeTo((next) => async (args) => {
    const result = await next(args);
    const chunks = [];
    for await (const chunk of result.response.body) chunks.push(Buffer.from(chunk));
    const body = Buffer.concat(chunks);
    lastBody = body.toString('utf8');
    result.response.body = Readable.from([body]);
    return result;
  }, { relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'rawBodyCapture' });
  return client;
}

const config = {
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
  // The SDK speaks HTTP/2 by default, which a plain http endpoint does not.
  requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true }) }),
  maxAttempts: 10,
};
const db = capturingRawBodies(new ddb.DynamoDBClient(config));
const st = capturingRawBodies(new streams.DynamoDBStreamsClient(config));

// One item of every attribute type. The large number has more digits than a double holds.
function item(pk, sk) {
  const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff, sk & 0xff]);
  return {
    pk: { S: pk },
    sk: { N: String(sk) },
    n: { N: String(sk) },
    text: { S: `text-${sk} ünïcödé "quoted" \\ / \n` },
    big: { N: '12345678901234567890.123456789' },
    negative: { N: '-0.000001' },
    bytes: { B: bytes },
    flag: { BOOL: sk % 2 === 0 },
    nothing: { NULL: true },
    map: { M: { inner: { S: 'x' }, count: { N: String(sk * 10) }, deeper: { M: { ok: { BOOL: true } } } } },
    list: { L: [{ S: 'a' }, { N: '1' }, { NULL: true }, { L: [{ B: Buffer.from('z') }] }] },
    strings: { SS: ['red', 'green', `item-${sk}`] },
    numbers: { NS: ['1', '2.5', '99999999999999999999999999999999999999'] },
    binaries: { BS: [Buffer.from('one'), Buffer.from([sk & 0xff])] },
  };
}

function keyOf(pk, sk) {
  return { pk: { S: pk }, sk: { N: String(sk) } };
}

async function createTable(table, view) {
  const out = await db.send(new ddb.CreateTableCommand({
    TableName: table,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: { StreamEnabled: true, StreamViewType: view },
  }));
  for (;;) {
    const d = await db.send(new ddb.DescribeTableCommand({ TableName: table }));
    if (d.Table.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  console.log(out.TableDescription.LatestStreamArn);
}

async function setStream(table, enabled, view) {
  const out = await db.send(new ddb.UpdateTableCommand({
    TableName: table,
    StreamSpecification: enabled ? { StreamEnabled: true, StreamViewType: view } : { StreamEnabled: false },
  }));
  if (enabled) console.log(out.TableDescription.LatestStreamArn);
}

async function put(table, count, keys, first) {
  for (let i = 0; i < count; i++) {
    const pk = `key-${i % keys}`;
    const sk = first + i;
    await db.send(new ddb.PutItemCommand({ TableName: table, Item: item(pk, sk) }));
    process.stdout.write(`${pk} ${sk}\n`);
  }
}

async function churn(table, count, items) {
  for (let i = 0; i < count; i++) {
    const pk = `key-${i % items}`;
    await db.send(new ddb.PutItemCommand({ TableName: table, Item: { ...item(pk, 0), n: { N: String(i) } } }));
    process.stdout.write(`${pk} ${i}\n`);
  }
}

async function describeStream(arn) {
  let description;
  let start;
  do {
    await st.send(new streams.DescribeStreamCommand({
      StreamArn: arn, ...(start ? { ExclusiveStartShardId: start } : {}),
    }));
    const page = JSON.parse(lastBody).StreamDescription;
    if (description) description.Shards.push(...page.Shards);
    else description = page;
    start = page.LastEvaluatedShardId;
  } while (start);
  delete description.LastEvaluatedShardId;
  return description;
}

async function streamRecords(arn) {
  for (const shard of (await describeStream(arn)).Shards) {
    const open = !shard.SequenceNumberRange || !shard.SequenceNumberRange.EndingSequenceNumber;
    let it = (await st.send(new streams.GetShardIteratorCommand({
      StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON',
    }))).ShardIterator;
    while (it) {
      const page = await st.send(new streams.GetRecordsCommand({ ShardIterator: it }));
      const records = rawRecords(lastBody);
      if (records.length !== page.Records.length) {
        throw new Error(`found ${records.length} of ${page.Records.length} records in ${lastBody}`);
      }
      for (const r of records) process.stdout.write(`${r}\n`);
      if (records.length === 0 && open) break;
      it = page.NextShardIterator;
    }
  }
}

async function main() {
  switch (command) {
    case 'create-table':
      await createTable(rest[0], option('--view', 'NEW_AND_OLD_IMAGES'));
      break;
    case 'put':
      await put(rest[0], Number(rest[1]), Number(rest[2]), Number(rest[3] || 0));
      break;
    case 'scan': {
      let start;
      do {
        const page = await db.send(new ddb.ScanCommand({ TableName: rest[0], ...(start ? { ExclusiveStartKey: start } : {}) }));
        for (const found of page.Items) process.stdout.write(`${found.pk.S} ${found.sk.N} ${found.n.N}\n`);
        start = page.LastEvaluatedKey;
      } while (start);
      break;
    }
    case 'churn':
      await churn(rest[0], Number(rest[1]), Number(rest[2]));
      break;
    case 'update':
      await db.send(new ddb.UpdateItemCommand({
        TableName: rest[0], Key: keyOf(rest[1], rest[2]),
        UpdateExpression: 'SET n = n + :d', ExpressionAttributeValues: { ':d': { N: '1000' } },
        ConditionExpression: 'attribute_exists(pk)', ReturnValues: 'ALL_NEW',
      }));
      console.log(JSON.stringify(JSON.parse(lastBody).Attributes));
      break;
    case 'delete':
      await db.send(new ddb.DeleteItemCommand({
        TableName: rest[0], Key: keyOf(rest[1], rest[2]), ConditionExpression: 'attribute_exists(pk)',
      }));
      break;
    case 'stream-records':
      await streamRecords(rest[0]);
      break;
    case 'disable-stream':
      await setStream(rest[0], false);
      break;
    case 'enable-stream':
      await setStream(rest[0], true, option('--view', 'NEW_AND_OLD_IMAGES'));
      break;
    case 'describe-stream':
      console.log(JSON.stringify(await describeStream(rest[0])));
      break;
    case 'list-streams': {
      const all = [];
      let start;
      do {
        await st.send(new streams.ListStreamsCommand({
          ...(rest[0] ? { TableName: rest[0] } : {}),
          ...(start ? { ExclusiveStartStreamArn: start } : {}),
        }));
        const page = JSON.parse(lastBody);
        all.push(...page.Streams);
        start = page.LastEvaluatedStreamArn;
      } while (start);
      console.log(JSON.stringify(all));
      break;
    }
    case 'list-tables': {
      const out = await db.send(new ddb.ListTablesCommand({}));
      console.log(JSON.stringify(out.TableNames));
      break;
    }
    default:
      throw new Error(`unknown command ${command}`);
  }
}

main().catch((e) => {
  console.error(`dynamodb_tool ${command}: ${e.name}: ${e.message}`);
  process.exit(1);
});

// A fault-injecting proxy in front of a Kinesis endpoint, for what kinesalite cannot do on
// demand: iterators that expire and throttling.
//
//   node fault_proxy.js UPSTREAM_PORT [--expire-every N] [--throttle-every M]
//                       [--fail-put-records-every P] [--expire-first F] [--stats FILE]
//
// The first F GetRecords, one after the other, are answered 400 ExpiredIteratorException. Every
// N-th GetRecords is answered 400 ExpiredIteratorException, and every M-th request of any
// kind 400 ProvisionedThroughputExceededException, without reaching the server. Every P-th
// PutRecords is a partial failure, as a shard over its budget gives: every second partition key
// of the request has its records refused from the middle of that key's records on (a key with
// one record: that record), alternately with ProvisionedThroughputExceededException and
// InternalFailure. Only the other records are forwarded, so exactly the records answered as
// written are in the stream. Prints "listening <port>"; writes the counts of requests and
// injected faults to FILE as JSON after every request.
'use strict';
const http = require('http');
const fs = require('fs');

const upstreamPort = Number(process.argv[2]);
const option = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const expireEvery = Number(option('--expire-every') || 0);
const expireFirst = Number(option('--expire-first') || 0);
const throttleEvery = Number(option('--throttle-every') || 0);
const failPutRecordsEvery = Number(option('--fail-put-records-every') || 0);
const statsFile = option('--stats');
const stats = {
  requests: 0, getRecords: 0, expired: 0, throttled: 0, putRecords: 0, partialFailures: 0,
  refusedRecords: 0,
};

function fault(res, type, message) {
  const body = JSON.stringify({ __type: type, message });
  res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const agent = new http.Agent({ keepAlive: true });

// The indices of the records a partial failure refuses, with the error code of each.
function refusals(records) {
  const byKey = new Map();
  records.forEach((record, index) => {
    if (!byKey.has(record.PartitionKey)) byKey.set(record.PartitionKey, []);
    byKey.get(record.PartitionKey).push(index);
  });
  const refused = new Map();
  [...byKey.values()].forEach((indices, keyNumber) => {
    if (keyNumber % 2 !== 0) return;
    const code = keyNumber % 4 === 0 ? 'ProvisionedThroughputExceededException' : 'InternalFailure';
    for (const index of indices.slice(Math.floor(indices.length / 2))) refused.set(index, code);
  });
  return refused;
}

// Answers a PutRecords with `refused` records failed and forwards only the others upstream.
function partialPutRecords(req, res, request, refused, save) {
  const failed = (code) => ({ ErrorCode: code, ErrorMessage: `${code} (injected)` });
  const answer = (records) => {
    const body = JSON.stringify({ FailedRecordCount: refused.size, Records: records });
    res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
  const kept = request.Records.map((record, index) => index).filter((index) => !refused.has(index));
  const merge = (written) => request.Records.map((record, index) => (refused.has(index)
    ? failed(refused.get(index)) : written[kept.indexOf(index)]));
  stats.partialFailures++;
  stats.refusedRecords += refused.size;
  save();
  if (kept.length === 0) return answer(merge([]));
  const body = Buffer.from(JSON.stringify({ ...request, Records: kept.map((index) => request.Records[index]) }));
  const forward = http.request({
    host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url,
    headers: { ...req.headers, 'content-length': body.length }, agent,
  }, (upstream) => {
    const chunks = [];
    upstream.on('data', (c) => chunks.push(c));
    upstream.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      if (upstream.statusCode !== 200) {
        res.writeHead(upstream.statusCode, upstream.headers);
        return res.end(text);
      }
      answer(merge(JSON.parse(text).Records));
    });
  });
  forward.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
  forward.end(body);
}
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const operation = String(req.headers['x-amz-target'] || '').split('.').pop();
    stats.requests++;
    if (operation === 'GetRecords') stats.getRecords++;
    if (operation === 'PutRecords') stats.putRecords++;
    const save = () => statsFile && fs.writeFileSync(statsFile, JSON.stringify(stats));
    if (throttleEvery > 0 && stats.requests % throttleEvery === 0) {
      stats.throttled++;
      save();
      return fault(res, 'ProvisionedThroughputExceededException', 'Rate exceeded for shard (injected)');
    }
    if (operation === 'GetRecords' &&
        (stats.getRecords <= expireFirst || (expireEvery > 0 && stats.getRecords % expireEvery === 0))) {
      stats.expired++;
      save();
      return fault(res, 'ExpiredIteratorException', 'Iterator expired (injected)');
    }
    if (operation === 'PutRecords' && failPutRecordsEvery > 0 &&
        stats.putRecords % failPutRecordsEvery === 0) {
      const request = JSON.parse(body.toString());
      return partialPutRecords(req, res, request, refusals(request.Records), save);
    }
    save();
    const forward = http.request({
      host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers, agent,
    }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
    forward.end(body);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));

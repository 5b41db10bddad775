// A fault-injecting proxy in front of a Kinesis endpoint, for what kinesalite cannot do on
// demand: iterators that expire and throttling.
//
//   node fault_proxy.js UPSTREAM_PORT [--expire-every N] [--throttle-every M] [--stats FILE]
//
// Every N-th GetRecords is answered 400 ExpiredIteratorException, and every M-th request of any
// kind 400 ProvisionedThroughputExceededException, without reaching the server. Prints
// "listening <port>"; writes the counts of requests and injected faults to FILE as JSON after
// every request.
'use strict';
const http = require('http');
const fs = require('fs');

const upstreamPort = Number(process.argv[2]);
const option = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const expireEvery = Number(option('--expire-every') || 0);
const throttleEvery = Number(option('--throttle-every') || 0);
const statsFile = option('--stats');
const stats = { requests: 0, getRecords: 0, expired: 0, throttled: 0 };

function fault(res, type, message) {
  const body = JSON.stringify({ __type: type, message });
  res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const agent = new http.Agent({ keepAlive: true });
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const operation = String(req.headers['x-amz-target'] || '').split('.').pop();
    stats.requests++;
    if (operation === 'GetRecords') stats.getRecords++;
    const save = () => statsFile && fs.writeFileSync(statsFile, JSON.stringify(stats));
    if (throttleEvery > 0 && stats.requests % throttleEvery === 0) {
      stats.throttled++;
      save();
      return fault(res, 'ProvisionedThroughputExceededException', 'Rate exceeded for shard (injected)');
    }
    if (operation === 'GetRecords' && expireEvery > 0 && stats.getRecords % expireEvery === 0) {
      stats.expired++;
      save();
      return fault(res, 'ExpiredIteratorException', 'Iterator expired (injected)');
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

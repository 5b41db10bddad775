// A fault-injecting proxy in front of DynamoDB Local, for what the real DynamoDB Streams does and
// DynamoDB Local does not do on demand.
//
//   node streams_fault_proxy.js UPSTREAM_PORT [--empty-every N] [--throttle-every M]
//        [--expire-every K] [--fail-every F] [--split-at SEQ [--parent-gone]] [--trim-through SEQ]
//        [--stats FILE]
//
// --empty-every N   every N-th GetRecords is answered with an empty page and the same iterator,
//                   without reaching the server (the shard is open; records follow)
// --throttle-every M  every M-th request: 400 LimitExceededException
// --expire-every K  every K-th GetRecords: 400 ExpiredIteratorException (iterators last 15 minutes)
// --fail-every F    every F-th request: 500 InternalServerError
// --split-at SEQ    the stream's (single) shard closes after record SEQ and has a child: the
//                   parent's pages end at SEQ (NextShardIterator omitted after it); the child,
//                   "<parent>-child", holds the records after SEQ. DescribeStream shows both, or
//                   with --parent-gone only the child, as once the parent passed the retention.
// --trim-through SEQ  records up to SEQ are gone, as after the 24-hour retention: an iterator at
//                   or after an earlier sequence number is refused with 400
//                   TrimmedDataAccessException, TRIM_HORIZON starts after SEQ, and pages never
//                   hold them
//
// Record texts pass through byte for byte. Prints "listening <port>"; writes the counts of
// requests and injected faults to FILE as JSON after every request.
'use strict';
const http = require('http');
const fs = require('fs');
const { rawRecords } = require('./raw_records');

const upstreamPort = Number(process.argv[2]);
const option = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const emptyEvery = Number(option('--empty-every') || 0);
const throttleEvery = Number(option('--throttle-every') || 0);
const expireEvery = Number(option('--expire-every') || 0);
const failEvery = Number(option('--fail-every') || 0);
const splitAt = option('--split-at');
const parentGone = process.argv.includes('--parent-gone');
const trimThrough = option('--trim-through');
const statsFile = option('--stats');
const stats = {
  requests: 0, getRecords: 0, empty: 0, throttled: 0, expired: 0, failed: 0, trimmed: 0,
  parentEnded: 0, childIterators: 0,
};
const save = () => statsFile && fs.writeFileSync(statsFile, JSON.stringify(stats));

// Sequence numbers are decimal strings: longer is larger.
const compare = (a, b) => (a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0);
const CHILD = '-child';
const PARENT_END = 'P|END';

function answer(res, status, object) {
  const body = typeof object === 'string' ? object : JSON.stringify(object);
  res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
const fault = (res, status, type, message) => answer(res, status, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });

const agent = new http.Agent({ keepAlive: true });
function upstream(req, body, onAnswer) {
  const forward = http.request({
    host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url,
    headers: { ...req.headers, 'content-length': Buffer.byteLength(body) }, agent,
  }, (reply) => {
    const chunks = [];
    reply.on('data', (c) => chunks.push(c));
    reply.on('end', () => onAnswer(reply, Buffer.concat(chunks).toString('utf8')));
  });
  forward.on('error', (e) => onAnswer({ statusCode: 502, headers: {} }, String(e)));
  forward.end(body);
}

const sequenceOf = (text) => JSON.parse(text).dynamodb.SequenceNumber;
function page(records, next) {
  return `{"Records":[${records.join(',')}]${next === undefined ? '' : `,"NextShardIterator":${JSON.stringify(next)}`}}`;
}

// The shard ids the split makes: the parent is the real shard; the child is virtual.
let parentId;
function describeStream(req, res, body) {
  upstream(req, body, (reply, text) => {
    if (reply.statusCode !== 200 || !splitAt) return answer(res, reply.statusCode, text);
    const described = JSON.parse(text);
    const shards = described.StreamDescription.Shards;
    if (shards.length > 0 && !shards[shards.length - 1].ShardId.endsWith(CHILD)) {
      const parent = shards[shards.length - 1];
      parentId = parent.ShardId;
      const openEnd = parent.SequenceNumberRange.EndingSequenceNumber;
      parent.SequenceNumberRange.EndingSequenceNumber = splitAt;
      const child = {
        ShardId: parentId + CHILD, ParentShardId: parentId,
        SequenceNumberRange: { StartingSequenceNumber: String(BigInt(splitAt) + 1n).padStart(splitAt.length, '0') },
      };
      if (openEnd) child.SequenceNumberRange.EndingSequenceNumber = openEnd;
      shards.push(child);
      if (parentGone) shards.splice(shards.indexOf(parent), 1);
    }
    answer(res, 200, described);
  });
}

function getShardIterator(req, res, request) {
  const type = request.ShardIteratorType;
  const at = request.SequenceNumber;
  if (trimThrough && at && compare(at, trimThrough) < (type === 'AT_SEQUENCE_NUMBER' ? 1 : 0)) {
    stats.trimmed++;
    save();
    return fault(res, 400, 'TrimmedDataAccessException', 'Requested data has been trimmed (injected)');
  }
  let prefix = '';
  if (splitAt && request.ShardId.endsWith(CHILD)) {
    prefix = 'C|';
    stats.childIterators++;
    request.ShardId = request.ShardId.slice(0, -CHILD.length);
    if (type === 'TRIM_HORIZON') {
      request.ShardIteratorType = 'AFTER_SEQUENCE_NUMBER';
      request.SequenceNumber = splitAt;
    }
  } else if (splitAt) {
    prefix = 'P|';
    if (type === 'LATEST' || (at && compare(at, splitAt) >= (type === 'AT_SEQUENCE_NUMBER' ? 1 : 0))) {
      return answer(res, 200, { ShardIterator: PARENT_END });
    }
  }
  if (trimThrough && type === 'TRIM_HORIZON' && !prefix.startsWith('C')) {
    request.ShardIteratorType = 'AFTER_SEQUENCE_NUMBER';
    request.SequenceNumber = trimThrough;
  }
  upstream(req, JSON.stringify(request), (reply, text) => {
    if (reply.statusCode !== 200) return answer(res, reply.statusCode, text);
    answer(res, 200, { ShardIterator: prefix + JSON.parse(text).ShardIterator });
  });
}

function getRecords(req, res, request) {
  const iterator = request.ShardIterator;
  if (iterator === PARENT_END) {
    stats.parentEnded++;
    save();
    return answer(res, 200, page([], undefined));
  }
  const prefix = iterator.startsWith('P|') || iterator.startsWith('C|') ? iterator.slice(0, 2) : '';
  if (emptyEvery > 0 && stats.getRecords % emptyEvery === 0) {
    stats.empty++;
    save();
    return answer(res, 200, page([], iterator));
  }
  request.ShardIterator = iterator.slice(prefix.length);
  upstream(req, JSON.stringify(request), (reply, text) => {
    if (reply.statusCode !== 200) return answer(res, reply.statusCode, text);
    const next = JSON.parse(text).NextShardIterator;
    let records = rawRecords(text);
    if (trimThrough) records = records.filter((r) => compare(sequenceOf(r), trimThrough) > 0);
    if (prefix === 'P|') {
      const kept = records.filter((r) => compare(sequenceOf(r), splitAt) <= 0);
      const reachedEnd = kept.length < records.length ||
        (kept.length > 0 && sequenceOf(kept[kept.length - 1]) === splitAt);
      if (reachedEnd) {
        stats.parentEnded++;
        save();
        return answer(res, 200, page(kept, undefined));
      }
      return answer(res, 200, page(kept, next === undefined || next === null ? next : 'P|' + next));
    }
    if (prefix === 'C|') records = records.filter((r) => compare(sequenceOf(r), splitAt) > 0);
    answer(res, 200, page(records, next === undefined || next === null ? next : prefix + next));
  });
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const operation = String(req.headers['x-amz-target'] || '').split('.').pop();
    stats.requests++;
    if (operation === 'GetRecords') stats.getRecords++;
    if (throttleEvery > 0 && stats.requests % throttleEvery === 0) {
      stats.throttled++;
      save();
      return fault(res, 400, 'LimitExceededException', 'Rate exceeded (injected)');
    }
    if (failEvery > 0 && stats.requests % failEvery === 0) {
      stats.failed++;
      save();
      return fault(res, 500, 'InternalServerError', 'Internal server error (injected)');
    }
    if (operation === 'GetRecords' && expireEvery > 0 && stats.getRecords % expireEvery === 0) {
      stats.expired++;
      save();
      return fault(res, 400, 'ExpiredIteratorException', 'Iterator expired (injected)');
    }
    save();
    if (operation === 'DescribeStream') return describeStream(req, res, body);
    if (operation === 'GetShardIterator') return getShardIterator(req, res, JSON.parse(body));
    if (operation === 'GetRecords') return getRecords(req, res, JSON.parse(body));
    upstream(req, body, (reply, text) => answer(res, reply.statusCode, text));
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));

'use strict';

// Puts `entries` ({key, data}) with one PutRecords, again and again until all are written:
// only what failed is retried, and a key's later records wait for its earlier ones to succeed,
// so each key's records are stored in order. Returns each entry's {shardId, sequenceNumber}, in
// the entries' order.
async function putInKeyOrder(client, PutRecordsCommand, stream, entries) {
  const results = new Array(entries.length);
  let pending = entries.map((e, index) => ({ ...e, index }));
  while (pending.length > 0) {
    const out = await client.send(new PutRecordsCommand({
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
        results[e.index] = { shardId: r.ShardId, sequenceNumber: r.SequenceNumber };
      }
    });
    pending = retry;
  }
  return results;
}

module.exports = { putInKeyOrder };

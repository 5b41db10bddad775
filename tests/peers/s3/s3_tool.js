// The AWS SDK for JavaScript (@aws-sdk/client-s3) as an independent S3 client for tests and
// benchmarks, path-style over plain HTTP with keep-alive.
//   node s3_tool.js ENDPOINT list BUCKET [PREFIX]      one JSON line per object: {key, size}
//   node s3_tool.js ENDPOINT dump BUCKET [PREFIX]      one JSON line per object, in key order:
//                                                      {key, size, contentType, body: base64}
//   node s3_tool.js ENDPOINT put-files BUCKET PREFIX CONCURRENCY FILE...
//                                                      PutObject of each file as
//                                                      PREFIX<file name>, CONCURRENCY at a time
//                                                      (files read first); prints the seconds
//                                                      the uploads took
// Credentials and region come from the environment (AWS_ACCESS_KEY_ID, ...).
'use strict';
const fs = require('fs');
const http = require('http');
const path = require('path');
const { S3Client, ListObjectsV2Command, GetObjectCommand, PutObjectCommand } = require('@aws-sdk/client-s3');
const { NodeHttpHandler } = require('@smithy/node-http-handler');

const [endpoint, command, bucket, ...rest] = process.argv.slice(2);
const client = new S3Client({
  endpoint,
  forcePathStyle: true,
  // Plain requests, as shardpipe sends them: no extra CRC checksums or aws-chunked bodies.
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
  region: process.env.AWS_REGION || 'us-east-1',
  // The SDK speaks HTTP/2 by default, which a plain-HTTP peer does not.
  requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true }) }),
});

async function listKeys(prefix) {
  const objects = [];
  let token;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }),
    );
    for (const object of page.Contents || []) objects.push({ key: object.Key, size: object.Size });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return objects;
}

async function main() {
  if (command === 'list') {
    for (const object of await listKeys(rest[0])) process.stdout.write(JSON.stringify(object) + '\n');
  } else if (command === 'dump') {
    for (const { key } of await listKeys(rest[0])) {
      const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = Buffer.from(await answer.Body.transformToByteArray());
      process.stdout.write(
        JSON.stringify({ key, size: body.length, contentType: answer.ContentType, body: body.toString('base64') }) + '\n',
      );
    }
  } else if (command === 'put-files') {
    const [prefix, concurrency, ...files] = rest;
    const bodies = files.map((file) => [path.basename(file), fs.readFileSync(file)]);
    const started = process.hrtime.bigint();
    let next = 0;
    const worker = async () => {
      while (next < bodies.length) {
        const [name, body] = bodies[next++];
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: prefix + name, Body: body, ContentType: 'application/x-ndjson' }),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Number(concurrency)) }, worker));
    console.log((Number(process.hrtime.bigint() - started) / 1e9).toFixed(3));
  } else {
    throw new Error(`unknown command ${command}`);
  }
}

main().catch((error) => {
  console.error(`${error.name}: ${error.message}`);
  process.exit(1);
});

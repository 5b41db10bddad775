// Starts s3rver (an S3 server keeping objects under DIR) on 127.0.0.1 and prints
// "listening <port>" once it accepts connections. Buckets named after DIR are created when
// missing. Every request is logged to stdout (the tests look for multipart calls there).
// Usage: node s3rver_server.js PORT DIR [BUCKET...]   (PORT 0: a free port)
'use strict';
const S3rver = require('s3rver');

const [port, directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  port: Number(port || 0),
  address: '127.0.0.1',
  directory,
  silent: false,
  configureBuckets: buckets.map((name) => ({ name })),
});
server.run().then(
  (address) => console.log(`listening ${address.port}`),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));

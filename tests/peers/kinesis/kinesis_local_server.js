// Starts kinesis-local (kinesis-mock), which answers like AWS at the end of a closed shard
// ("NextShardIterator": null with ChildShards), on 127.0.0.1 only: it binds every interface by
// itself, so its listen calls are redirected to loopback here. Reshards take no time.
// Prints "listening <port>" for the plain HTTP port. Usage: node kinesis_local_server.js PORT
'use strict';
const net = require('net');
const path = require('path');

const port = Number(process.argv[2]);
const plainPort = String(port);
Object.assign(process.env, {
  KINESIS_MOCK_PLAIN_PORT: plainPort,
  KINESIS_MOCK_TLS_PORT: String(port + 1),
  CREATE_STREAM_DURATION: '0ms',
  DELETE_STREAM_DURATION: '0ms',
  SPLIT_SHARD_DURATION: '0ms',
  MERGE_SHARDS_DURATION: '0ms',
  UPDATE_SHARD_COUNT_DURATION: '0ms',
  LOG_LEVEL: 'WARN',
});

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const callback = args.find((a) => typeof a === 'function');
  const requested = typeof args[0] === 'object' && args[0] !== null ? args[0].port : args[0];
  this.once('listening', () => {
    if (String(this.address().port) === plainPort) console.log(`listening ${plainPort}`);
  });
  return listen.call(this, Number(requested), '127.0.0.1', ...(callback ? [callback] : []));
};

// It reads its TLS settings (server.json) from the working directory.
const home = path.dirname(require.resolve('kinesis-local/package.json'));
process.chdir(home);
require(path.join(home, 'main.js'));

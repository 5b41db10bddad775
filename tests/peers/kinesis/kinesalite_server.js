// Starts kinesalite on 127.0.0.1 (its command line binds every interface) and prints
// "listening <port>" once it accepts connections. Usage: node kinesalite_server.js [PORT]
'use strict';
const kinesalite = require('kinesalite');

const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

// The local server of the `keyed` section's fetch row, in its own process: answers every request
// with a short body, and sends its origin to the parent.
import { createServer } from 'node:http';

const server = createServer((_request, response) => response.end('ok'));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send(`http://127.0.0.1:${server.address().port}`));
process.on('disconnect', () => process.exit(0));

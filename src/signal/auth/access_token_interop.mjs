// Test peer for access_token_interop_test.cc: livekit-server-sdk's own AccessToken and TokenVerifier.
//
//   node access_token_interop.mjs <node_modules> issue <api key> <secret>
//       prints a token for identity "alice" with every claim the SDK can set
//   node access_token_interop.mjs <node_modules> verify <api key> <secret> <token>
//       prints the verified payload as JSON, or {"error": "..."}
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [nodeModules, op, apiKey, secret, token] = process.argv.slice(2);
const sdk = await import(pathToFileURL(join(nodeModules, 'livekit-server-sdk/dist/index.js')));
const { TrackSource } = await import(pathToFileURL(join(nodeModules, '@livekit/protocol/dist/index.mjs')));

if (op === 'issue') {
  const at = new sdk.AccessToken(apiKey, secret, {
    identity: 'alice',
    name: 'Alice A.',
    metadata: '{"team":"media"}',
    attributes: { role: 'host', floor: '3' },
    ttl: 600,
  });
  at.kind = 'standard';
  at.sha256 = 'c2hhMjU2';
  at.addGrant({
    roomJoin: true,
    room: 'standup',
    canPublish: true,
    canSubscribe: false,
    canPublishData: false,
    canPublishSources: [TrackSource.CAMERA, TrackSource.MICROPHONE],
    canUpdateOwnMetadata: true,
    hidden: true,
    roomAdmin: true,
  });
  process.stdout.write(await at.toJwt());
} else if (op === 'verify') {
  try {
    const payload = await new sdk.TokenVerifier(apiKey, secret).verify(token);
    process.stdout.write(JSON.stringify(payload));
  } catch (error) {
    process.stdout.write(JSON.stringify({ error: String(error?.message ?? error) }));
  }
} else {
  console.error(`unknown op ${op}`);
  process.exit(2);
}

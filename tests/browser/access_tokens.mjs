// Access tokens minted by livekit-server-sdk's AccessToken, exactly as a LiveKit application
// mints them, plus an independent reading of one (HS256 over base64url header.payload, RFC 7519
// section 7.2 and RFC 7515 appendix A.1) so the local check can show what was minted.

import crypto from 'node:crypto';

import {importServerSdk} from './headless_chromium.mjs';

export const kApiKey = process.env.AURALINK_API_KEY || 'devkey';
export const kApiSecret = process.env.AURALINK_API_SECRET || 'secret';

export async function mintParticipantToken({room, identity, ttl = '15m'}) {
  const {AccessToken} = await importServerSdk();
  const token = new AccessToken(kApiKey, kApiSecret, {identity, name: identity, ttl});
  token.addGrant({roomJoin: true, room, canPublish: true, canSubscribe: true,
                  canPublishData: true});
  return token.toJwt();
}

// A token for the server's own API (RoomService and the dev-mode test hooks) on `room`.
export async function mintRoomAdminToken({room, ttl = '15m'}) {
  const {AccessToken} = await importServerSdk();
  const token = new AccessToken(kApiKey, kApiSecret, {identity: 'auralink-browser-test', ttl});
  token.addGrant({roomAdmin: true, room});
  return token.toJwt();
}

// {header, payload} of an HS256 JWT signed with `secret`; throws when the signature is wrong.
export function readToken(jwt, secret = kApiSecret) {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new Error(`a JWT has 3 parts, this one ${parts.length}`);
  const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  if (header.alg !== 'HS256') throw new Error(`token algorithm is ${header.alg}, not HS256`);
  const expected = crypto.createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
  const actual = Buffer.from(parts[2], 'base64url');
  if (actual.length !== expected.length || !crypto.timingSafeEqual(actual, expected)) {
    throw new Error('token signature does not verify with the API secret');
  }
  return {header, payload};
}

// Test peer for room_service_sdk_test.cc: npm livekit-server-sdk's RoomServiceClient (and
// @livekit/protocol's own protobuf codec) against AuraLink's RoomService API.
//
//   node room_service_sdk_client.mjs <node_modules> <port> <api key> <secret> <tokens JSON>
//
// <tokens JSON> holds tokens the C++ side issued: {"expired", "listOnly", "adminOther"}. Prints
// one JSON object: for every call, {ok: true, value} or {ok: false, status, code, message}.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [nodeModules, port, apiKey, secret, tokensJson] = process.argv.slice(2);
const sdk = await import(pathToFileURL(join(nodeModules, 'livekit-server-sdk/dist/index.js')));
const protocol = await import(pathToFileURL(join(nodeModules, '@livekit/protocol/dist/index.mjs')));
const tokens = JSON.parse(tokensJson);
const host = `http://127.0.0.1:${port}`;
// failover only applies to *.livekit.cloud hosts; off anyway so a 5xx is reported as it is.
const client = new sdk.RoomServiceClient(host, apiKey, secret, { failover: false });

const out = {};
async function attempt(name, call) {
  try {
    out[name] = { ok: true, value: await call() };
  } catch (error) {
    out[name] = { ok: false, status: error.status, code: error.code, message: error.message };
  }
}

const roomSummary = (room) => ({
  sid: room.sid,
  name: room.name,
  emptyTimeout: room.emptyTimeout,
  departureTimeout: room.departureTimeout,
  maxParticipants: room.maxParticipants,
  metadata: room.metadata,
  creationTime: String(room.creationTime),
  numParticipants: room.numParticipants,
});
const trackSummary = (track) => ({
  sid: track.sid,
  type: protocol.TrackType[track.type],
  source: protocol.TrackSource[track.source],
  muted: track.muted,
  width: track.width,
  height: track.height,
  simulcast: track.simulcast,
  mimeType: track.mimeType,
  layers: track.layers.map((layer) => ({
    quality: protocol.VideoQuality[layer.quality],
    width: layer.width,
    height: layer.height,
    bitrate: layer.bitrate,
    rid: layer.rid,
  })),
});
const participantSummary = (participant) => ({
  sid: participant.sid,
  identity: participant.identity,
  name: participant.name,
  metadata: participant.metadata,
  state: protocol.ParticipantInfo_State[participant.state],
  joinedAt: String(participant.joinedAt),
  isPublisher: participant.isPublisher,
  permission: {
    canPublish: participant.permission?.canPublish,
    canSubscribe: participant.permission?.canSubscribe,
    canPublishData: participant.permission?.canPublishData,
    canPublishSources: (participant.permission?.canPublishSources ?? []).map(
      (source) => protocol.TrackSource[source]),
  },
  tracks: participant.tracks.map(trackSummary),
});

await attempt('createRoom', async () => roomSummary(await client.createRoom({
  name: 'sdk-room', emptyTimeout: 60, maxParticipants: 4, metadata: 'hello'
})));
await attempt('listRooms', async () => (await client.listRooms()).map((room) => room.name).sort());
await attempt('listRoomsByName',
              async () => (await client.listRooms(['sdk-room'])).map(roomSummary));
await attempt('listParticipants',
              async () => (await client.listParticipants('media')).map(participantSummary));
await attempt('getParticipant',
              async () => participantSummary(await client.getParticipant('media', 'alice')));
await attempt('mutePublishedTrack', async () => trackSummary(
  await client.mutePublishedTrack('media', 'alice', 'TR_video_alice', true)));
await attempt('updateParticipant', async () => participantSummary(
  await client.updateParticipant('media', 'alice', {
    metadata: 'updated', name: 'Alice Updated',
    permission: { canPublish: false, canSubscribe: true, canPublishData: true,
                  canPublishSources: [protocol.TrackSource.MICROPHONE] },
  })));
await attempt('updateParticipantLegacy', async () => participantSummary(
  await client.updateParticipant('media', 'bob', 'bob-metadata')));
await attempt('updateRoomMetadata',
              async () => roomSummary(await client.updateRoomMetadata('media', 'agenda')));
await attempt('sendData', async () => {
  await client.sendData('media', new Uint8Array([104, 105]), protocol.DataPacket_Kind.RELIABLE,
                        { destinationIdentities: ['bob'], topic: 'greetings' });
  return 'sent';
});
await attempt('updateSubscriptions', async () => {
  await client.updateSubscriptions('media', 'bob', ['TR_video_alice'], false);
  return 'updated';
});
await attempt('removeParticipant', async () => {
  await client.removeParticipant('media', 'bob');
  return 'removed';
});
await attempt('deleteRoom', async () => {
  await client.deleteRoom('sdk-room');
  return 'deleted';
});

// Errors as the SDK reports them (status and Twirp code from our JSON error body).
await attempt('deleteMissingRoom', async () => client.deleteRoom('sdk-room'));
await attempt('getMissingParticipant', async () => client.getParticipant('media', 'nobody'));
await attempt('listMissingRoom', async () => client.listParticipants('no-such-room'));
await attempt('wrongSecret', async () =>
  new sdk.RoomServiceClient(host, apiKey, 'wrong-secret-wrong-secret', { failover: false }).listRooms());
await attempt('unknownKey', async () =>
  new sdk.RoomServiceClient(host, 'APIstranger', secret, { failover: false }).listRooms());
await attempt('expired', async () =>
  new sdk.RoomServiceClient(host, undefined, undefined, { token: tokens.expired }).listRooms());
const listOnly = new sdk.RoomServiceClient(host, undefined, undefined, { token: tokens.listOnly });
await attempt('missingCreateGrant', async () => listOnly.createRoom({ name: 'x' }));
await attempt('missingAdminGrant', async () => listOnly.listParticipants('media'));
await attempt('adminOfOtherRoom', async () =>
  new sdk.RoomServiceClient(host, undefined, undefined, { token: tokens.adminOther })
    .removeParticipant('media', 'alice'));
await attempt('noToken', async () => {
  const response = await fetch(`${host}/twirp/livekit.RoomService/ListRooms`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  return { status: response.status, contentType: response.headers.get('content-type'),
           body: await response.json() };
});

// Binary protobuf, encoded and decoded by @livekit/protocol (protobuf-es), not by us.
await attempt('protobufListParticipants', async () => {
  const at = new sdk.AccessToken(apiKey, secret);
  at.addGrant({ roomAdmin: true, room: 'media' });
  const response = await fetch(`${host}/twirp/livekit.RoomService/ListParticipants`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/protobuf', Authorization: `Bearer ${await at.toJwt()}` },
    body: new protocol.ListParticipantsRequest({ room: 'media' }).toBinary(),
  });
  if (!response.ok) throw Object.assign(new Error(await response.text()), { status: response.status });
  const decoded = protocol.ListParticipantsResponse.fromBinary(
    new Uint8Array(await response.arrayBuffer()));
  return { contentType: response.headers.get('content-type'),
           participants: decoded.participants.map(participantSummary) };
});

console.log(JSON.stringify(out));

// Test peer for livekit_protocol_interop_test.cc: runs @livekit/protocol (the encoder npm
// livekit-client and livekit-server-sdk use) on jobs the C++ test writes as JSON.
//
//   node livekit_protocol_interop.mjs <node_modules> <jobs.json>   (answers on stdout, one JSON array)
//
// Jobs: {op: "describe", types: [...]} gives each type's fields as @livekit/protocol declares them;
// {op: "json_to_binary", type, json} and {op: "binary_to_json", type, base64} convert with
// protobuf-es; {op: "fixture", name} encodes a message built here from literals.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [nodeModules, jobsPath] = process.argv.slice(2);
const protocol = await import(pathToFileURL(join(nodeModules, '@livekit/protocol/dist/index.mjs')));

const typesByName = new Map();
for (const value of Object.values(protocol)) {
  if (typeof value === 'function' && typeof value.typeName === 'string' && value.fields) {
    typesByName.set(value.typeName, value);
  }
}
function typeOf(name) {
  const type = typesByName.get(name);
  if (!type) throw new Error(`@livekit/protocol has no message ${name}`);
  return type;
}
const toBase64 = (bytes) => Buffer.from(bytes).toString('base64');

function describeValue(kind, T) {
  if (kind === 'scalar') return { kind, scalar: T };
  if (kind === 'enum') return { kind, type: T.typeName };
  return { kind, type: T.typeName };
}
function describe(names) {
  const out = {};
  for (const name of names) {
    const type = typesByName.get(name);
    if (!type) continue;
    out[name] = type.fields.list().map((f) => ({
      no: f.no,
      name: f.name,
      json_name: f.jsonName,
      repeated: !!f.repeated,
      optional: !!f.opt,
      oneof: f.oneof ? f.oneof.name : '',
      ...(f.kind === 'map'
        ? { kind: 'map', key_scalar: f.K, value: describeValue(f.V.kind, f.V.T) }
        : describeValue(f.kind, f.T)),
    }));
  }
  return out;
}

const fixtures = {
  offer: () =>
    new protocol.SignalRequest({
      message: { case: 'offer', value: { type: 'offer', sdp: 'v=0\r\ns=auralink\r\n', id: 7, midToTrackId: { 0: 'TR_a' } } },
    }),
  trickle: () =>
    new protocol.SignalRequest({
      message: {
        case: 'trickle',
        value: { candidateInit: '{"candidate":"candidate:1 1 udp 2130706431 192.0.2.1 50000 typ host"}', target: protocol.SignalTarget.SUBSCRIBER, final: true },
      },
    }),
  add_track: () =>
    new protocol.SignalRequest({
      message: {
        case: 'addTrack',
        value: {
          cid: 'cam-1', name: 'camera', type: protocol.TrackType.VIDEO, width: 1280, height: 720,
          source: protocol.TrackSource.CAMERA,
          layers: [
            { quality: protocol.VideoQuality.LOW, width: 320, height: 180, bitrate: 150000, ssrc: 11 },
            { quality: protocol.VideoQuality.HIGH, width: 1280, height: 720, bitrate: 1700000, ssrc: 33 },
          ],
          simulcastCodecs: [{ codec: 'vp8', cid: 'cam-1' }],
        },
      },
    }),
  ping: () => new protocol.SignalRequest({ message: { case: 'pingReq', value: { timestamp: 1700000000123n, rtt: 42n } } }),
  leave: () =>
    new protocol.SignalRequest({
      message: { case: 'leave', value: { reason: protocol.DisconnectReason.CLIENT_INITIATED, action: protocol.LeaveRequest_Action.DISCONNECT } },
    }),
  join_response: () =>
    new protocol.JoinResponse({
      room: { sid: 'RM_x', name: 'standup', emptyTimeout: 300, creationTime: 1700000000n, enabledCodecs: [{ mime: 'video/VP8' }] },
      participant: {
        sid: 'PA_me', identity: 'alice', state: protocol.ParticipantInfo_State.JOINED, joinedAt: 1700000001n,
        permission: { canSubscribe: true, canPublish: true, canPublishData: true },
        attributes: { role: 'host' },
      },
      otherParticipants: [
        {
          sid: 'PA_bob', identity: 'bob',
          tracks: [{ sid: 'TR_v', type: protocol.TrackType.VIDEO, source: protocol.TrackSource.CAMERA, simulcast: true, width: 1280, height: 720 }],
        },
      ],
      serverVersion: '1.9.0',
      iceServers: [{ urls: ['turn:192.0.2.1:3478?transport=udp'], username: 'u', credential: 'c' }],
      subscriberPrimary: true,
      pingTimeout: 15,
      pingInterval: 5,
      serverInfo: { edition: protocol.ServerInfo_Edition.Standard, version: '1.9.0', protocol: 16 },
      sifTrailer: new Uint8Array([1, 2, 3]),
    }),
  data_packet: () =>
    new protocol.DataPacket({
      kind: protocol.DataPacket_Kind.RELIABLE,
      participantIdentity: 'alice',
      destinationIdentities: ['bob'],
      value: { case: 'user', value: { payload: new Uint8Array([0, 255, 7]), topic: 'chat', destinationIdentities: ['bob'] } },
    }),
};

const jobs = JSON.parse(readFileSync(jobsPath, 'utf8'));
const answers = [];
for (const job of jobs) {
  try {
    if (job.op === 'describe') answers.push({ types: describe(job.types) });
    else if (job.op === 'json_to_binary') answers.push({ base64: toBase64(typeOf(job.type).fromJson(job.json).toBinary()) });
    else if (job.op === 'binary_to_json') answers.push({ json: typeOf(job.type).fromBinary(Buffer.from(job.base64, 'base64')).toJson() });
    else if (job.op === 'fixture') answers.push({ base64: toBase64(fixtures[job.name]().toBinary()) });
    else answers.push({ error: `unknown op ${job.op}` });
  } catch (error) {
    answers.push({ error: String(error?.message ?? error) });
  }
}
process.stdout.write(JSON.stringify(answers));

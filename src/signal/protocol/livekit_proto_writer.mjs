// Writes AuraLink's LiveKit .proto files from the message metadata that the installed
// @livekit/protocol package carries at run time (field numbers, names, types, oneofs, enum values).
// The .proto files in this folder are its output, checked in, so the build never needs node; run it
// again after upgrading @livekit/protocol in tests/livekit:
//
//   node src/signal/protocol/livekit_proto_writer.mjs tests/livekit/node_modules src/signal/protocol
//
// Only the types that livekit_models, livekit_rtc and livekit_room need (their own types and
// everything those reference) are written, each into the file named like its upstream file, in the
// package `livekit` so that type names, JSON names and Twirp paths match upstream.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [nodeModules, outDir] = process.argv.slice(2);
if (!nodeModules || !outDir) {
  console.error('usage: livekit_proto_writer.mjs <node_modules> <output folder>');
  process.exit(2);
}

const protocolDir = join(nodeModules, '@livekit/protocol');
const protocolVersion = JSON.parse(readFileSync(join(protocolDir, 'package.json'), 'utf8')).version;
const genDir = join(protocolDir, 'src/gen');
const { proto3 } = await import(pathToFileURL(join(nodeModules, '@bufbuild/protobuf/dist/esm/index.js')));

const kSeedFiles = ['livekit_models', 'livekit_rtc', 'livekit_room'];
const kPackage = 'livekit';

// The Twirp service that livekit-server-sdk's RoomServiceClient calls (method, request, response).
const kRoomService = [
  ['CreateRoom', 'CreateRoomRequest', 'Room'],
  ['ListRooms', 'ListRoomsRequest', 'ListRoomsResponse'],
  ['DeleteRoom', 'DeleteRoomRequest', 'DeleteRoomResponse'],
  ['ListParticipants', 'ListParticipantsRequest', 'ListParticipantsResponse'],
  ['GetParticipant', 'RoomParticipantIdentity', 'ParticipantInfo'],
  ['RemoveParticipant', 'RoomParticipantIdentity', 'RemoveParticipantResponse'],
  ['MutePublishedTrack', 'MuteRoomTrackRequest', 'MuteRoomTrackResponse'],
  ['UpdateParticipant', 'UpdateParticipantRequest', 'ParticipantInfo'],
  ['UpdateSubscriptions', 'UpdateSubscriptionsRequest', 'UpdateSubscriptionsResponse'],
  ['SendData', 'SendDataRequest', 'SendDataResponse'],
  ['UpdateRoomMetadata', 'UpdateRoomMetadataRequest', 'Room'],
  ['ForwardParticipant', 'ForwardParticipantRequest', 'ForwardParticipantResponse'],
  ['MoveParticipant', 'MoveParticipantRequest', 'MoveParticipantResponse'],
];

const kScalarNames = {
  1: 'double', 2: 'float', 3: 'int64', 4: 'uint64', 5: 'int32', 6: 'fixed64', 7: 'fixed32',
  8: 'bool', 9: 'string', 12: 'bytes', 13: 'uint32', 15: 'sfixed32', 16: 'sfixed64',
  17: 'sint32', 18: 'sint64',
};
const kWellKnownFiles = {
  'google.protobuf.Timestamp': 'google/protobuf/timestamp.proto',
  'google.protobuf.Duration': 'google/protobuf/duration.proto',
  'google.protobuf.Any': 'google/protobuf/any.proto',
  'google.protobuf.Struct': 'google/protobuf/struct.proto',
  'google.protobuf.Value': 'google/protobuf/struct.proto',
  'google.protobuf.ListValue': 'google/protobuf/struct.proto',
  'google.protobuf.Empty': 'google/protobuf/empty.proto',
};

// typeName -> { file, kind: 'message'|'enum', type, order }
const types = new Map();
function listGenFiles(dir, prefix = '') {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...listGenFiles(join(dir, entry.name), `${prefix}${entry.name}/`));
    else if (entry.name.endsWith('_pb.js')) out.push(`${prefix}${entry.name}`);
  }
  return out;
}
for (const relative of listGenFiles(genDir)) {
  const path = join(genDir, relative);
  const file = relative.replace(/_pb\.js$/, '');
  const module = await import(pathToFileURL(path));
  // Module namespaces list exports alphabetically; the source order keeps upstream's layout.
  const source = readFileSync(path, 'utf8');
  const order = [...source.matchAll(/proto3\.make(?:MessageType|Enum)\(\s*"([\w.]+)"/g)].map((m) => m[1]);
  for (const value of Object.values(module)) {
    let entry;
    if (typeof value === 'function' && typeof value.typeName === 'string' && value.fields) {
      entry = { kind: 'message', type: value, typeName: value.typeName };
    } else {
      try {
        const enumType = proto3.getEnumType(value);
        entry = { kind: 'enum', type: enumType, typeName: enumType.typeName };
      } catch {
        continue;
      }
    }
    const position = order.indexOf(entry.typeName);
    if (position < 0) throw new Error(`${entry.typeName} not found in the source of ${relative}`);
    types.set(entry.typeName, { ...entry, file, order: position });
  }
}

const parentOf = (typeName) => typeName.slice(0, typeName.lastIndexOf('.'));
const shortName = (typeName) => typeName.slice(typeName.lastIndexOf('.') + 1);
const childrenOf = (typeName) =>
  [...types.values()].filter((t) => parentOf(t.typeName) === typeName).sort((a, b) => a.order - b.order);
function fieldTypeNames(field) {
  if (field.kind === 'message' || field.kind === 'enum') return [field.T.typeName];
  if (field.kind === 'map' && (field.V.kind === 'message' || field.V.kind === 'enum')) return [field.V.T.typeName];
  return [];
}

// Closure of what the seed files need: referenced types, their enclosing messages (a nested type
// cannot be written without its parent) and, for completeness, every nested type of a written message.
const needed = new Set();
const pending = [...types.values()].filter((t) => kSeedFiles.includes(t.file)).map((t) => t.typeName);
while (pending.length > 0) {
  const typeName = pending.pop();
  if (needed.has(typeName) || typeName.startsWith('google.protobuf.')) continue;
  const entry = types.get(typeName);
  if (!entry) throw new Error(`unknown type ${typeName}`);
  needed.add(typeName);
  if (types.has(parentOf(typeName))) pending.push(parentOf(typeName));
  for (const child of childrenOf(typeName)) pending.push(child.typeName);
  if (entry.kind === 'message') {
    for (const field of entry.type.fields.list()) pending.push(...fieldTypeNames(field));
  }
}
for (const [, request, response] of kRoomService) {
  for (const name of [request, response]) {
    if (!needed.has(`${kPackage}.${name}`)) throw new Error(`RoomService type ${name} is missing`);
  }
}

// Names visible in a message scope: nested types, fields and the values of nested enums. A
// reference whose first part matches one of them would bind there (protobuf resolves names
// innermost scope first), so such references are written fully qualified.
function scopeNames(typeName) {
  const names = new Set();
  const entry = types.get(typeName);
  if (entry?.kind === 'message') {
    for (const field of entry.type.fields.list()) names.add(field.name);
    for (const child of childrenOf(typeName)) {
      names.add(shortName(child.typeName));
      if (child.kind === 'enum') for (const value of child.type.values) names.add(value.name);
    }
  }
  return names;
}
function typeReference(target, fromScope) {
  if (target.startsWith('google.protobuf.')) return target;
  const relative = target.slice(kPackage.length + 1);
  const first = relative.split('.')[0];
  for (let scope = fromScope; scope !== kPackage && scope.includes('.'); scope = parentOf(scope)) {
    if (scopeNames(scope).has(first)) {
      return `${scope}.${relative}` === target ? relative : `.${target}`;
    }
  }
  return relative;
}
function valueType(kind, T, scope) {
  return kind === 'scalar' ? kScalarNames[T] : typeReference(T.typeName, scope);
}

function writeEnum(entry, indent) {
  const lines = [`${indent}enum ${shortName(entry.typeName)} {`];
  const numbers = entry.type.values.map((v) => v.no);
  if (new Set(numbers).size !== numbers.length) lines.push(`${indent}  option allow_alias = true;`);
  for (const value of entry.type.values) lines.push(`${indent}  ${value.name} = ${value.no};`);
  lines.push(`${indent}}`);
  return lines;
}
function fieldLine(field, scope, inOneof) {
  let type;
  if (field.kind === 'map') {
    type = `map<${kScalarNames[field.K]}, ${valueType(field.V.kind, field.V.T, scope)}>`;
  } else {
    type = valueType(field.kind, field.T, scope);
    if (field.repeated) type = `repeated ${type}`;
    else if (field.opt && !inOneof) type = `optional ${type}`;
  }
  const options = [];
  const packable = field.kind === 'enum' || (field.kind === 'scalar' && field.T !== 9 && field.T !== 12);
  if (field.repeated && packable && field.packed === false) {
    options.push('packed = false');
  }
  const expectedJson = field.name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
  if (field.jsonName && field.jsonName !== expectedJson) options.push(`json_name = "${field.jsonName}"`);
  return `${type} ${field.name} = ${field.no}${options.length ? ` [${options.join(', ')}]` : ''};`;
}
function writeMessage(entry, indent) {
  const scope = entry.typeName;
  const lines = [`${indent}message ${shortName(scope)} {`];
  for (const child of childrenOf(scope)) {
    lines.push(...(child.kind === 'enum' ? writeEnum(child, `${indent}  `) : writeMessage(child, `${indent}  `)));
  }
  const writtenOneofs = new Set();
  for (const field of entry.type.fields.list()) {
    if (field.oneof) {
      if (writtenOneofs.has(field.oneof.name)) continue;
      writtenOneofs.add(field.oneof.name);
      lines.push(`${indent}  oneof ${field.oneof.name} {`);
      for (const member of field.oneof.fields) lines.push(`${indent}    ${fieldLine(member, scope, true)}`);
      lines.push(`${indent}  }`);
    } else {
      lines.push(`${indent}  ${fieldLine(field, scope, false)}`);
    }
  }
  lines.push(`${indent}}`);
  return lines;
}

const files = new Map();
for (const typeName of needed) {
  const entry = types.get(typeName);
  if (!files.has(entry.file)) files.set(entry.file, []);
  files.get(entry.file).push(entry);
}
for (const [file, entries] of files) {
  entries.sort((a, b) => a.order - b.order);
  const imports = new Set();
  const body = [];
  for (const entry of entries) {
    if (entry.kind === 'message') {
      const stack = [entry.typeName];
      while (stack.length) {
        const current = types.get(stack.pop());
        if (current.kind !== 'message') continue;
        for (const field of current.type.fields.list()) {
          for (const ref of fieldTypeNames(field)) {
            if (kWellKnownFiles[ref]) imports.add(kWellKnownFiles[ref]);
            else if (ref.startsWith('google.protobuf.')) throw new Error(`no import known for ${ref}`);
            else if (types.get(ref).file !== file) imports.add(`signal/protocol/${types.get(ref).file.replace(/\//g, "_")}.proto`);
          }
        }
        for (const child of childrenOf(current.typeName)) stack.push(child.typeName);
      }
    }
    if (parentOf(entry.typeName) !== kPackage) continue;  // written inside its parent
    body.push('');
    body.push(...(entry.kind === 'enum' ? writeEnum(entry, '') : writeMessage(entry, '')));
  }
  if (file === 'livekit_room') {
    body.push('', '// Served over Twirp: POST /twirp/livekit.RoomService/<method>.', 'service RoomService {');
    for (const [method, request, response] of kRoomService) {
      body.push(`  rpc ${method}(${request}) returns (${response});`);
    }
    body.push('}');
  }
  const header = [
    `// Generated by livekit_proto_writer.mjs from @livekit/protocol ${protocolVersion} (Apache-2.0): the`,
    '// field numbers, names, types and enum values of the LiveKit messages AuraLink speaks. Do not edit;',
    '// rerun the writer instead.',
    'syntax = "proto3";',
    '',
    `package ${kPackage};`,
    '',
    'option optimize_for = SPEED;',
  ];
  if (imports.size) header.push('', ...[...imports].sort().map((i) => `import "${i}";`));
  const name = file.replace(/\//g, '_');
  writeFileSync(join(outDir, `${name}.proto`), [...header, ...body, ''].join('\n'));
  console.log(`${name}.proto: ${entries.length} types`);
}

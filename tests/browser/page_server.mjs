// The test page's HTTP server: 127.0.0.1 on a free port, serving call_page.html, call_page.js and
// livekit-client's UMD build straight from tests/livekit/node_modules (never copied into the
// repository). Its Content-Security-Policy lets the page reach only itself and the media server
// under test, so the page cannot touch any other network.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const kBrowserTestDir = path.dirname(fileURLToPath(import.meta.url));
export const kRepositoryRoot = path.resolve(kBrowserTestDir, '..', '..');
export const kLivekitModules = path.join(kRepositoryRoot, 'tests', 'livekit', 'node_modules');
export const kLivekitClientUmd =
    path.join(kLivekitModules, 'livekit-client', 'dist', 'livekit-client.umd.js');

const kRoutes = new Map([
  ['/', {file: path.join(kBrowserTestDir, 'call_page.html'), type: 'text/html; charset=utf-8'}],
  ['/call_page.js',
   {file: path.join(kBrowserTestDir, 'call_page.js'), type: 'text/javascript; charset=utf-8'}],
  ['/livekit-client.umd.js', {file: kLivekitClientUmd, type: 'text/javascript; charset=utf-8'}],
]);

// Origins the page may open connections to: the media server's signalling (ws/wss) and its HTTP
// API (livekit-client asks /rtc/validate over HTTP after a failed WebSocket upgrade).
function serverOrigins(serverUrl) {
  if (!serverUrl) return [];
  const url = new URL(serverUrl);
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  return [`${secure ? 'wss' : 'ws'}://${url.host}`, `${secure ? 'https' : 'http'}://${url.host}`];
}

// Starts the server; resolves to {url, close()}.
export async function startPageServer({serverUrl} = {}) {
  const policy = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'unsafe-inline'",
    `connect-src 'self' ${serverOrigins(serverUrl).join(' ')}`,
    "media-src 'self' blob: mediastream:",
    "img-src 'self' data: blob:",
    "worker-src 'self' blob:",
  ].join('; ');
  const server = http.createServer((request, response) => {
    const pathname = new URL(request.url, 'http://localhost').pathname;
    if (pathname === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    const route = kRoutes.get(pathname);
    if (!route || request.method !== 'GET') {
      response.writeHead(404, {'content-type': 'text/plain'}).end('not found\n');
      return;
    }
    fs.readFile(route.file, (error, body) => {
      if (error) {
        response.writeHead(500, {'content-type': 'text/plain'}).end(`${error.message}\n`);
        return;
      }
      response.writeHead(200, {
        'content-type': route.type,
        'content-security-policy': policy,
        'cache-control': 'no-store',
      }).end(body);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

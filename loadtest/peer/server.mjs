// The peer for loadtest/peer: a Node.js HTTP server that runs one WASI command module in a fresh
// WebAssembly.Instance per request (POST /invoke: the body is stdin, stdout the response), with a
// minimal WASI shim, and GET /health. One process per core (node:cluster).
//   node loadtest/peer/server.mjs MODULE.wasm PORT [PROCESSES]
import cluster from 'node:cluster';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';

const [file, port = '18580', procs = String(os.availableParallelism())] = process.argv.slice(2);
if (cluster.isPrimary) {
  for (let i = 0; i < Number(procs); i++) cluster.fork();
} else {
  const module = new WebAssembly.Module(fs.readFileSync(file));
  const EBADF = 8, ENOSYS = 52;
  class Exit { constructor(code) { this.code = code; } }
  const run = (stdin) => {
    let memory, inPos = 0;
    const out = [];
    const view = () => new DataView(memory.buffer);
    const iovecs = (ptr, n) => {
      const v = view(), list = [];
      for (let i = 0; i < n; i++) list.push([v.getUint32(ptr + 8 * i, true), v.getUint32(ptr + 8 * i + 4, true)]);
      return list;
    };
    const wasi = {
      fd_read(fd, iovs, n, nread) {
        if (fd !== 0) return EBADF;
        let total = 0;
        for (const [p, len] of iovecs(iovs, n)) {
          const k = Math.min(len, stdin.length - inPos);
          new Uint8Array(memory.buffer, p, k).set(stdin.subarray(inPos, inPos + k));
          inPos += k; total += k;
          if (k < len) break;
        }
        view().setUint32(nread, total, true);
        return 0;
      },
      fd_write(fd, iovs, n, nwritten) {
        let total = 0;
        for (const [p, len] of iovecs(iovs, n)) {
          if (fd === 1) out.push(Buffer.from(new Uint8Array(memory.buffer, p, len)));
          total += len;
        }
        view().setUint32(nwritten, total, true);
        return 0;
      },
      fd_fdstat_get(fd, ptr) {
        if (fd > 2) return EBADF;
        const v = view();
        v.setUint8(ptr, 2); v.setUint16(ptr + 2, 0, true);
        v.setBigUint64(ptr + 8, 0xffffffffn, true); v.setBigUint64(ptr + 16, 0xffffffffn, true);
        return 0;
      },
      fd_close: () => 0,
      fd_seek: () => ESPIPE,
      fd_prestat_get: () => EBADF,
      proc_exit(code) { throw new Exit(code); },
    };
    const ESPIPE = 70;
    const imports = { wasi_snapshot_preview1: new Proxy(wasi, { get: (t, k) => t[k] ?? (() => ENOSYS) }) };
    const instance = new WebAssembly.Instance(module, imports);
    memory = instance.exports.memory;
    let code = 0;
    try { instance.exports._start(); } catch (e) { if (e instanceof Exit) code = e.code; else throw e; }
    return [code, Buffer.concat(out)];
  };
  http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') { res.end('UP'); return; }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        const [code, body] = run(Buffer.concat(chunks));
        res.writeHead(code === 0 ? 200 : 500, { 'Content-Type': 'application/octet-stream' }).end(body);
      } catch (e) {
        res.writeHead(500).end(String(e));
      }
    });
  }).listen(Number(port), '127.0.0.1');
}

// The server side of the MySQL TLS upgrade, which mysql2's server does not have: after the greeting a
// client that wants TLS sends an SSLRequest (32 bytes, CLIENT_SSL set), then the TLS handshake, then its
// HandshakeResponse over TLS (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase.html,
// "SSL Handshake"). This stream sits between the socket and mysql2's connection: it looks at the client's
// first packet; an SSLRequest is taken out of the stream (mysql2 never sees it), TLS is started on the
// socket, and from then on mysql2 reads and writes cleartext through the TLS session. Any other first
// packet, or a connection where TLS is not offered, passes through unchanged.
import { Duplex } from 'node:stream';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Socket } from 'node:net';
import { firstPacketLength, isSslRequest } from './mysql-protocol.ts';

export class UpgradableStream extends Duplex {
  readonly socket: Socket;
  /** True once TLS is negotiated; what ProxySQL calls the session being encrypted. */
  encrypted = false;
  #offer: () => SecureContext | undefined;
  #onUpgrade: () => void;
  #mode: 'first-packet' | 'plain' | 'tls' = 'first-packet';
  #pending = Buffer.alloc(0);
  #tlsInput: Duplex | undefined;
  #tls: TLSSocket | undefined;

  /** `offer` gives the context to upgrade with, or nothing when TLS is not offered on this connection;
   * `onUpgrade` is told when an SSLRequest was taken out (the packet's sequence number is then used). */
  constructor(socket: Socket, offer: () => SecureContext | undefined, onUpgrade: () => void) {
    super();
    this.socket = socket;
    this.#offer = offer;
    this.#onUpgrade = onUpgrade;
    socket.on('data', (chunk: Buffer) => this.#fromSocket(chunk));
    socket.on('end', () => (this.#tlsInput ? this.#tlsInput.push(null) : this.push(null)));
    socket.on('close', () => this.destroy());
    socket.on('error', (err) => this.destroy(err));
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  /** The TLS session, for getPeerCertificate() and friends. */
  get tls(): TLSSocket | undefined {
    return this.#tls;
  }

  #fromSocket(chunk: Buffer): void {
    if (this.#mode === 'plain') return void this.push(chunk);
    if (this.#mode === 'tls') return void this.#tlsInput?.push(chunk);
    this.#pending = Buffer.concat([this.#pending, chunk]);
    const length = firstPacketLength(this.#pending);
    if (length === undefined) return;
    const context = this.#offer();
    if (context && isSslRequest(this.#pending.subarray(0, length))) {
      const rest = this.#pending.subarray(length);
      this.#pending = Buffer.alloc(0);
      this.#onUpgrade();
      this.#startTls(context, rest);
    } else {
      this.#mode = 'plain';
      this.push(this.#pending);
      this.#pending = Buffer.alloc(0);
    }
  }

  /** TLS over the socket. The client may already have sent the start of its TLS handshake in the same
   * read as the SSLRequest, so the TLS session reads from a small duplex fed from the socket, not from the
   * socket itself. */
  #startTls(context: SecureContext, rest: Buffer): void {
    this.#mode = 'tls';
    const socket = this.socket;
    const input = new Duplex({
      read() {},
      write: (chunk, _encoding, done) => void socket.write(chunk, done),
      final: (done) => {
        socket.end();
        done();
      },
    });
    this.#tlsInput = input;
    if (rest.length) input.push(rest);
    // ProxySQL asks for a client certificate and accepts any (SSL_VERIFY_PEER with a callback returning 1).
    const tls = new TLSSocket(input, { isServer: true, secureContext: context, requestCert: true, rejectUnauthorized: false });
    this.#tls = tls;
    tls.on('secure', () => (this.encrypted = true));
    tls.on('data', (data: Buffer) => this.push(data));
    tls.on('end', () => this.push(null));
    tls.on('error', (err) => this.destroy(err));
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    (this.#tls ?? this.socket).write(chunk, done);
  }

  override _final(done: (err?: Error | null) => void): void {
    (this.#tls ?? this.socket).end();
    done();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.#tls?.destroy();
    this.socket.destroy();
    done(err);
  }
}

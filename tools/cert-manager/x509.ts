// @peculiar/x509, ready to use: it resolves its algorithms through tsyringe, which needs the Reflect
// metadata polyfill loaded before the library (its README requires one), and it signs with Node's
// WebCrypto. Everything in this folder imports the library from here, never directly.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

export { x509 };

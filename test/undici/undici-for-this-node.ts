/**
 * The undici this Node.js can run: undici 8 needs Node >= 22.19, undici 7 runs on Node >= 20.18.1.
 * The CI matrix (Node 20, 22 and 24) so tests 7 on 20 and older 22s, 8 on the others.
 */
import type * as Undici from 'undici';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);

export const undiciMajor: 7 | 8 = major > 22 || (major === 22 && minor >= 19) ? 8 : 7;

export const undici: typeof Undici = (undiciMajor === 8 ? await import('undici8') : await import('undici')) as typeof Undici;

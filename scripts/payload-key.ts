/**
 * `npm run payload-key -- <id>`: prints a new random AES-256 key as a `PAYLOAD_KEYS` entry (`<id>:<base64>`).
 * To rotate, put the new entry first and keep the old ones after it for as long as histories they sealed are kept.
 * In the image: `node dist/scripts/payload-key.js <id>`.
 */
import { newPayloadKeyEntry } from '../platform/payload-codec';

const id = process.argv[2] ?? '';
if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) {
  process.stderr.write('usage: npm run payload-key -- <key id: letters, digits, . _ - (e.g. 2026-12)>\n');
  process.exit(64); // EX_USAGE
}
process.stdout.write(`${newPayloadKeyEntry(id)}\n`);

/**
 * A ULID made inside workflow code: Temporal gives workflows a seeded Math.random and the workflow clock, so the
 * same id comes back on replay. (The `ulid` package reaches for node:crypto, which workflow code may not use.)
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function workflowUlid(): string {
  let time = Date.now();
  let head = '';
  for (let i = 0; i < 10; i += 1) {
    head = CROCKFORD.charAt(time % 32) + head;
    time = Math.floor(time / 32);
  }
  let tail = '';
  for (let i = 0; i < 16; i += 1) tail += CROCKFORD.charAt(Math.floor(Math.random() * 32));
  return head + tail;
}

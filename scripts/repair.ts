/**
 * `npm run repair -- <caseId> [<caseId> …]` or `npm run repair -- --all`: brings read models in step with Temporal
 * (platform/reconcile.ts). A case Temporal stopped is marked failed, with the reason; one whose read model is
 * behind its workflow is written again from the workflow's view. `--all` takes every case the read model shows
 * open or suspended. Uses MONGODB_URI, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and PAYLOAD_KEYS. In the image:
 * `node dist/scripts/repair.js …`.
 */
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { connectDb } from '../platform/db';
import { payloadKeysSchema } from '../platform/config';
import { dataConverterOf } from '../platform/payload-codec';
import { reconcileCase, reconcileOpenCases } from '../platform/reconcile';

const env = z
  .object({
    MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI'),
    TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    // The keys the worker encrypts payloads with, to read a workflow's state (platform/payload-codec.ts).
    PAYLOAD_KEYS: payloadKeysSchema.optional(),
  })
  .safeParse(process.env);
const args = process.argv.slice(2);
const ids = z
  .array(z.string().regex(/^[A-Za-z0-9._:-]{1,120}$/, 'a case id'))
  .safeParse(args.filter((a) => a !== '--all'));

async function main(): Promise<void> {
  if (!env.success || !ids.success || args.length === 0) {
    const issues = [...(env.error?.issues ?? []), ...(ids.error?.issues ?? [])];
    process.stderr.write(
      'usage: npm run repair -- <caseId> [<caseId> …] | --all\n' +
        issues.map((i) => `  ${i.path.join('.') || 'argument'}: ${i.message}\n`).join(''),
    );
    process.exit(64); // EX_USAGE
  }
  const db = await connectDb(env.data.MONGODB_URI);
  const connection = await Connection.connect({ address: env.data.TEMPORAL_ADDRESS });
  const client = new Client({
    connection,
    namespace: env.data.TEMPORAL_NAMESPACE,
    dataConverter: dataConverterOf(env.data.PAYLOAD_KEYS),
  });
  try {
    if (args.includes('--all')) {
      const s = await reconcileOpenCases(db, client);
      process.stdout.write(
        `${s.checked} open case(s) checked; marked failed: ${s.markedFailed.join(', ') || 'none'}; ` +
          `written again: ${s.reprojected.join(', ') || 'none'}\n`,
      );
    }
    for (const id of ids.data) process.stdout.write(`${id}: ${await reconcileCase(db, client, id)}\n`);
  } finally {
    await connection.close();
    await db.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`repair failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

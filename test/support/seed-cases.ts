/** Cases put straight into the read model, as the projection would leave them (with their unit rows). */
import type { Db } from '../../platform/db';
import { indexCaseUnits } from '../../platform/queries';

type SeededCase = Record<string, unknown> & {
  _id: string;
  units?: string[];
  keys?: Record<string, string>;
};

export async function seedCases(db: Db, ...docs: SeededCase[]): Promise<void> {
  await db.cases.create(docs);
  for (const d of docs) {
    const units = [...(d.units ?? []), ...(d.keys?.productionUnit ? [d.keys.productionUnit] : [])];
    await indexCaseUnits(db, d._id, units);
  }
}

export default async function globalTeardown(): Promise<void> {
  const servers = globalThis.__CPI_SERVERS__ ?? [];
  await Promise.all(servers.map((s) => s.stop()));
}

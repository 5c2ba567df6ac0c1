// PWA section: placeholder until the browser measurement lands.
export async function benchPwa(_db: { databaseUrl: string; secret: string } | undefined): Promise<Record<string, unknown>> {
  throw new Error('PWA measurement not implemented yet');
}
